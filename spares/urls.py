from django.urls import path

from spares import views

app_name = "spares"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("tickets/<str:number>/take/", views.take, name="take"),
    path("tickets/<str:number>/settle/", views.settle, name="settle"),
    path("tickets/<str:number>/substitute/", views.install, name="install"),
    path("tickets/<str:number>/substitute/return/", views.take_back, name="take_back"),
]
