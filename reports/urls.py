"""Report pages: the manager's reports, job downloads, inspection report PDFs."""

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("jobs/<int:pk>/run/", views.job_run, name="job_run"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("inspections/<int:pk>/pdf/", views.inspection_pdf, name="inspection_pdf"),
]
