"""Brute force on the three doors: the login page, the admin login and the API token."""

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "secret-pass-1"


@pytest.fixture
def user():
    return UserFactory(username="victim", is_staff=True, is_superuser=True)


def _page_login(client, url, username, password):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_fifty_wrong_passwords_lock_the_page_even_for_the_right_one(user, url):
    client = Client()
    for _ in range(50):
        response = _page_login(client, url, "victim", "wrong")
        assert response.status_code in (200, 429)
    response = _page_login(client, url, "victim", RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/api/tickets/").status_code in (401, 403)


def test_five_failures_lock_the_username_four_do_not(user):
    client = Client()
    for _ in range(4):
        assert _page_login(client, "/accounts/login/", "victim", "wrong").status_code == 200
    assert _page_login(client, "/accounts/login/", "victim", RIGHT).status_code == 302

    other = UserFactory(username="other")
    client = Client()
    for _ in range(5):
        _page_login(client, "/accounts/login/", other.username, "wrong")
    assert _page_login(client, "/accounts/login/", other.username, RIGHT).status_code == 429


def test_twenty_failures_from_one_address_lock_every_username_from_it(user):
    client = Client()
    for n in range(19):
        assert _page_login(client, "/accounts/login/", f"guess{n}", "wrong").status_code == 200
    assert _page_login(client, "/accounts/login/", "victim", RIGHT).status_code == 302
    client = Client()
    _page_login(client, "/accounts/login/", "guess19", "wrong")
    assert _page_login(client, "/accounts/login/", "victim", RIGHT).status_code == 429
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert _page_login(elsewhere, "/accounts/login/", "victim", RIGHT).status_code == 302


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(user, settings):
    """Everyone reaches gunicorn from the proxy's address: the proxy's X-Forwarded-For
    says who is who, and a client cannot forge what the proxy appended."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for n in range(20):
        _page_login(attacker, "/accounts/login/", f"guess{n}", "wrong")
    assert _page_login(attacker, "/accounts/login/", "victim", RIGHT).status_code == 429
    forged = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")
    assert _page_login(forged, "/accounts/login/", "victim", RIGHT).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert _page_login(colleague, "/accounts/login/", "victim", RIGHT).status_code == 302


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "登录失败次数过多"), ("en", "Too many failed logins")],
)
def test_lockout_page_says_why_and_when_to_retry(user, language, expected):
    client = Client()
    client.cookies["django_language"] = language
    for _ in range(5):
        _page_login(client, "/accounts/login/", "victim", "wrong")
    response = _page_login(client, "/accounts/login/", "victim", RIGHT)
    assert response.status_code == 429
    page = response.content.decode()
    assert expected in page
    assert "15" in page
    assert response.headers["Retry-After"] == "900"


def test_api_token_lockout_is_429_json_with_retry_after(user, settings):
    settings.API_TOKEN_RATE = "1000/minute"  # axes alone, not DRF's throttle
    client = APIClient()
    for _ in range(50):
        client.post("/api/auth/token/", {"username": "victim", "password": "wrong"}, format="json")
    response = client.post(
        "/api/auth/token/", {"username": "victim", "password": RIGHT}, format="json"
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["detail"]
    assert "登录失败次数过多" in body["detail"]
    assert "15" in body["detail"]
    assert int(response["Retry-After"]) > 0


def test_api_token_endpoint_is_rate_limited_per_address(user, settings):
    settings.API_TOKEN_RATE = "3/minute"
    client = APIClient()
    for _ in range(3):
        response = client.post(
            "/api/auth/token/", {"username": "victim", "password": RIGHT}, format="json"
        )
        assert response.status_code == 200
    response = client.post(
        "/api/auth/token/", {"username": "victim", "password": RIGHT}, format="json"
    )
    assert response.status_code == 429
    assert "Retry-After" in response
    assert list(response.json()) == ["detail"]


def test_an_administrator_unlocks_then_login_works(user):
    client = Client()
    for _ in range(50):
        _page_login(client, "/accounts/login/", "victim", "wrong")
    assert _page_login(client, "/accounts/login/", "victim", RIGHT).status_code == 429
    call_command("axes_reset_username", "victim")
    assert _page_login(client, "/accounts/login/", "victim", RIGHT).status_code == 302


def test_an_administrator_unlocks_in_the_admin(user):
    from axes.models import AccessAttempt

    UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(5):
        _page_login(client, "/accounts/login/", "victim", "wrong")
    attempt = AccessAttempt.objects.get(username="victim")
    boss = Client(REMOTE_ADDR="10.0.0.2")
    assert _page_login(boss, "/admin/login/", "boss", RIGHT).status_code == 302
    listing = boss.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "victim" in listing.content.decode()
    response = boss.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _page_login(client, "/accounts/login/", "victim", RIGHT).status_code == 302
