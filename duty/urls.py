from django.urls import path

from duty import views

app_name = "duty"

urlpatterns = [
    path("", views.week, name="week"),
    path("copy/", views.copy, name="copy"),
    path("shifts/<int:pk>/", views.shift, name="shift"),
    path("shifts/<int:pk>/remove/", views.shift_delete, name="shift_remove"),
    path("events/<int:pk>/remove/", views.event_delete, name="event_remove"),
]
