"""The API answers JSON for its errors; the pages keep their HTML error pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from core.error_views import server_error
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
    response = api.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_api_errors_speak_the_readers_language(api):
    response = api.get("/api/tickets/abc/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response.json()["detail"] != "Not found."


def test_unmatched_api_path_is_json_even_without_credentials():
    response = APIClient().get("/api/tickets/abc/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_pages_keep_their_html_404(client):
    response = client.get("/desk/tickets/abc/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_api_body_is_a_json_413(api, settings):
    too_big = {"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = api.post(
        "/api/tickets/",
        json.dumps(too_big),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Request body too large."}


def test_an_upload_over_the_request_limit_is_refused_before_it_is_read(api, monkeypatch, caplog):
    """Files are not capped by DATA_UPLOAD_MAX_MEMORY_SIZE: the policy's request limit is."""
    from core import uploads

    monkeypatch.setattr(uploads, "MAX_REQUEST_BYTES", 1000)
    big = SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * 3_000_000, "application/pdf")
    response = api.post(
        "/api/tickets/1/attachments/", {"file": big}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large."}
    # The user's mistake, not the program's: one warning, no traceback in the error log.
    assert [r.levelname for r in caplog.records if "body" in r.getMessage()] == ["WARNING"]
    assert not any(r.exc_info for r in caplog.records)


def test_an_oversized_page_form_is_413_not_a_server_error(client, settings):
    client.force_login(UserFactory(role="agent"))
    body = {"q": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = client.post("/desk/call/", body)
    assert response.status_code == 413


def test_a_server_error_under_the_api_is_json_and_elsewhere_html():
    factory = RequestFactory()
    with translation.override("en"):
        api = server_error(factory.get("/api/tickets/"))
    assert api.status_code == 500
    assert json.loads(api.content) == {"detail": "Server error."}
    page = server_error(factory.get("/desk/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
