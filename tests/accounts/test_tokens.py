"""API tokens expire, and logout, a password change or deactivation revoke them."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="agent", role="agent")


def _token(username="agent", password="secret-pass-1"):
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_comes_with_its_expiry_and_expires(user):
    issued = _token()
    expires_at = timezone.datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=29) < expires_at - timezone.now() <= timedelta(days=30)
    assert _client(issued["token"]).get("/api/tickets/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert _client(issued["token"]).get("/api/tickets/").status_code == 401
        fresh = _token()
        assert fresh["token"] != issued["token"]
        assert _client(fresh["token"]).get("/api/tickets/").status_code == 200


def test_ttl_is_a_setting(user, settings):
    settings.TOKEN_TTL = timedelta(days=1)
    issued = _token()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _client(issued["token"]).get("/api/tickets/").status_code == 401


def test_logout_revokes_the_token(user):
    token = _token()["token"]
    client = _client(token)
    assert client.post("/api/auth/logout/").status_code == 204
    assert _client(token).get("/api/tickets/").status_code == 401
    assert _token()["token"] != token


def test_logout_needs_a_caller():
    assert APIClient().post("/api/auth/logout/").status_code == 401


def test_password_change_on_the_page_revokes_the_token(user):
    token = _token()["token"]
    page = Client()
    page.post("/accounts/login/", {"username": "agent", "password": "secret-pass-1"})
    response = page.post(
        "/accounts/password/",
        {
            "old_password": "secret-pass-1",
            "new_password1": "a-much-longer-pass-2026",
            "new_password2": "a-much-longer-pass-2026",
        },
    )
    assert response.status_code == 302
    assert _client(token).get("/api/tickets/").status_code == 401


def test_set_password_and_deactivation_revoke_the_token(user):
    token = _token()["token"]
    user.set_password("another-long-pass-2026")
    user.save()
    assert _client(token).get("/api/tickets/").status_code == 401

    token = _token(password="another-long-pass-2026")["token"]
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    assert _client(token).get("/api/tickets/").status_code == 401


def test_unrelated_save_keeps_the_token(user):
    token = _token()["token"]
    user.first_name = "Li"
    user.save()
    assert _client(token).get("/api/tickets/").status_code == 200


def test_web_logout_revokes_the_token(user):
    token = _token()["token"]
    page = Client()
    page.post("/accounts/login/", {"username": "agent", "password": "secret-pass-1"})
    page.post("/accounts/logout/")
    assert _client(token).get("/api/tickets/").status_code == 401
