"""Placeholder routes: the satisfaction pages are being written."""

from django.http import HttpResponse
from django.urls import path


def _pending(request, *args, **kwargs):
    return HttpResponse(status=501)


app_name = "surveys"
urlpatterns = [
    path("", _pending, name="home"),
    path("portal/", _pending, name="portal"),
]
