"""Report pages: the manager's reports, job downloads, inspection report PDFs."""

from django.urls import path

from reports import complaints, portal_views, views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("complaints/", complaints.complaints, name="complaints"),
    path("issue/", views.issue, name="issue"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("jobs/<int:pk>/run/", views.job_run, name="job_run"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("inspections/<int:pk>/pdf/", views.inspection_pdf, name="inspection_pdf"),
]

# The inspection report stands among the inspection pages (inspections:report_pdf,
# /inspections/<pk>/report.pdf); servicedesk/urls.py files it there.
inspection_documents = [
    path("<int:pk>/report.pdf", views.inspection_report_pdf, name="report_pdf"),
]

# The sign-in sheet of a training session stands among the training pages
# (training:signin_pdf, /training/<pk>/signin-sheet.pdf).
training_documents = [
    path("<int:pk>/signin-sheet.pdf", views.training_signin_pdf, name="signin_pdf"),
]

# The reports issued to a customer stand in the portal (portal_reports:home, /portal/reports/).
portal_reports = [
    path("", portal_views.reports, name="home"),
    path("<int:pk>/download/", portal_views.download, name="download"),
]
