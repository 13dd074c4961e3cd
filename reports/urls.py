"""Placeholder routes: the report pages are being written."""

from django.http import HttpResponse
from django.urls import path


def _pending(request, *args, **kwargs):
    return HttpResponse(status=501)


app_name = "reports"
urlpatterns = [
    path("", _pending, name="home"),
]
