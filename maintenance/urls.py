from django.urls import path

from maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("", views.windows, name="windows"),
    path("<int:pk>/", views.window, name="window"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
