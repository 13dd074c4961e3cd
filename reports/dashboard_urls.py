"""The manager's dashboard: SLA figures and the escalations that reached their tier."""

from django.urls import path

from reports import dashboard_views as views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/acknowledge/", views.escalation_acknowledge, name="acknowledge"),
]
