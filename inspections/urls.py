"""Placeholder routes: the inspections pages are being written (see inspections/views)."""

from django.http import HttpResponse
from django.urls import path


def _pending(request, *args, **kwargs):
    return HttpResponse(status=501)


app_name = "inspections"
urlpatterns = [
    path("", _pending, name="home"),
    path("portal/", _pending, name="portal"),
]
