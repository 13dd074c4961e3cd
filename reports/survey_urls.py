"""Satisfaction pages: the desk's overview and return visits, the contact's questionnaires."""

from django.urls import path

from reports import survey_views as views

app_name = "surveys"
urlpatterns = [
    path("", views.home, name="home"),
    path("return-visit/<str:number>/", views.return_visit, name="return_visit"),
    path("questionnaire/", views.preview, name="preview"),
    path("questionnaire/<int:pk>/", views.preview, name="preview"),
    path("portal/", views.portal, name="portal"),
    path("portal/<int:pk>/", views.answer, name="answer"),
    path("portal/report/<int:year>/", views.portal_report, name="portal_report"),
]
