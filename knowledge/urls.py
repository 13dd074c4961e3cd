from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.articles, name="articles"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.article, name="article"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/<str:action>/", views.publish, name="publish"),
]
