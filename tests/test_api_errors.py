"""The API answers JSON for its errors; the pages keep their HTML error pages."""

import json

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from servicedesk.errors import server_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory(role="agent"))
    return client


@pytest.mark.parametrize(
    "path", ["/api/tickets/abc/", "/api/tickets/1.5/events/", "/api/no-such-thing/"]
)
def test_unmatched_api_paths_answer_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unmatched_api_path_is_json_even_without_credentials():
    response = APIClient().get("/api/tickets/abc/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_pages_keep_their_html_404(client):
    response = client.get("/desk/tickets/abc/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_api_body_is_a_json_413(api, settings):
    too_big = {"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = api.post("/api/tickets/", json.dumps(too_big), content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Request body too large."}


def test_an_oversized_page_form_is_413_not_a_server_error(client, settings):
    client.force_login(UserFactory(role="agent"))
    body = {"q": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = client.post("/desk/call/", body)
    assert response.status_code == 413


def test_a_server_error_under_the_api_is_json_and_elsewhere_html():
    factory = RequestFactory()
    api = server_error(factory.get("/api/tickets/"))
    assert api.status_code == 500
    assert json.loads(api.content) == {"detail": "Server error."}
    page = server_error(factory.get("/desk/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
