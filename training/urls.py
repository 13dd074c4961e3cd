from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("<int:pk>/", views.session, name="session"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/materials/<int:material_pk>/", views.material, name="material"),
    path("<int:pk>/signed-sheet/", views.signin_sheet, name="signin_sheet"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
