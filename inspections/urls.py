"""Inspection pages; the report PDF joins them from reports (servicedesk/urls.py)."""

from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal, name="portal"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/done/", views.rectification_done, name="rectification_done"),
    path(
        "rectifications/<int:pk>/verify/",
        views.rectification_verify,
        name="rectification_verify",
    ),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/items/<int:item_pk>/", views.record, name="record"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/signature.png", views.signature, name="signature"),
    path("<int:pk>/rectifications/new/", views.rectification_new, name="rectification_new"),
]
