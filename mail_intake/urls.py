from django.urls import path

from mail_intake import views

app_name = "mail_intake"

urlpatterns = [
    path("", views.waiting, name="waiting"),
    path("<int:pk>/", views.mail, name="mail"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/original/", views.original, name="original"),
]
