from django.urls import path

from deductions import views

app_name = "deductions"

urlpatterns = [
    path("", views.home, name="home"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
    path("<int:pk>/", views.ledger, name="ledger"),
]
