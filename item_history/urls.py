from django.urls import path

from item_history import views

app_name = "items"

urlpatterns = [
    path("<int:pk>/", views.item, name="item"),
    path("<int:pk>/version/", views.version_new, name="version_new"),
]
