"""API tokens: one per login, hashed at rest, expiring; logout, logout-all, a password
change, deactivation and the web logout revoke them."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
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


def _works(token) -> bool:
    status = _client(token).get("/api/tickets/").status_code
    assert status in (200, 401), status
    return status == 200


def test_token_comes_with_its_expiry_and_expires(user):
    issued = _token()
    expires_at = timezone.datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=29) < expires_at - timezone.now() <= timedelta(days=30)
    assert _works(issued["token"])
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = _client(issued["token"]).get("/api/tickets/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Token has expired; log in again."}
        assert response["WWW-Authenticate"] == "Token"
        fresh = _token()
        assert fresh["token"] != issued["token"]
        assert _works(fresh["token"])


def test_use_does_not_extend_a_token(user):
    issued = _token()
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert _works(issued["token"])
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert not _works(issued["token"])


def test_expired_message_is_in_chinese_by_default(user):
    issued = _token()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = _client(issued["token"]).get("/api/tickets/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌已过期，请重新登录。"}


def test_unknown_token_is_refused(user):
    key = _token()["token"]
    response = _client(key[:-1] + ("0" if key[-1] != "0" else "1")).get(
        "/api/tickets/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert _client("not-a-token").get("/api/tickets/").status_code == 401


def test_ttl_is_a_setting(user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=1)}
    issued = _token()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert not _works(issued["token"])


def test_each_login_is_a_device_of_its_own(user):
    phone, laptop = _token()["token"], _token()["token"]
    assert phone != laptop
    assert _works(phone) and _works(laptop)
    assert AuthToken.objects.filter(user=user).count() == 2


def test_the_database_never_holds_the_key(user):
    keys = [_token()["token"] for _ in range(3)]
    rows = list(AuthToken.objects.filter(user=user).values_list("digest", "token_key"))
    assert len(rows) == 3
    for key in keys:
        for digest, token_key in rows:
            assert key not in digest and key not in token_key
    # Nor anywhere else in the table, whatever its columns.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert not any(key in stored for key in keys)


def test_beyond_the_limit_the_oldest_device_is_logged_out(user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 3}
    start = timezone.now()
    keys = []
    for minutes in range(4):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            keys.append(_token()["token"])
    assert [_works(key) for key in keys] == [False, True, True, True]
    assert AuthToken.objects.filter(user=user).count() == 3


def test_expired_tokens_are_dropped_at_the_next_login(user):
    _token()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        _token()
    assert AuthToken.objects.filter(user=user).count() == 1


def test_logout_revokes_only_that_token(user):
    phone, laptop = _token()["token"], _token()["token"]
    assert _client(phone).post("/api/auth/logout/").status_code == 204
    assert not _works(phone)
    assert _works(laptop)
    assert _client(phone).post("/api/auth/logout/").status_code == 401


def test_logout_all_revokes_every_device(user):
    phone, laptop = _token()["token"], _token()["token"]
    other = UserFactory(username="other", role="agent")
    others = _token(username="other")["token"]
    assert _client(laptop).post("/api/auth/logout-all/").status_code == 204
    assert not _works(phone)
    assert not _works(laptop)
    assert _works(others)
    assert AuthToken.objects.filter(user=other).count() == 1


@pytest.mark.parametrize("url", ["/api/auth/logout/", "/api/auth/logout-all/"])
def test_logout_needs_a_token(user, url):
    assert APIClient().post(url).status_code == 401
    # A browser session has no token of its own to revoke: the web logout is for it.
    session = APIClient()
    session.force_login(user)
    assert session.post(url).status_code == 401


def test_password_change_on_the_page_revokes_every_token(user):
    phone, laptop = _token()["token"], _token()["token"]
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
    assert not _works(phone)
    assert not _works(laptop)


def test_password_change_in_the_admin_revokes_every_token(user):
    token = _token()["token"]
    UserFactory(username="root", is_staff=True, is_superuser=True)
    admin = Client()
    admin.post("/admin/login/", {"username": "root", "password": "secret-pass-1"})
    response = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "set-by-the-admin-2026", "password2": "set-by-the-admin-2026"},
    )
    assert response.status_code == 302, response.content
    assert not _works(token)


def test_set_password_and_deactivation_revoke_every_token(user):
    tokens = [_token()["token"], _token()["token"]]
    user.set_password("another-long-pass-2026")
    user.save()
    assert not any(_works(t) for t in tokens)

    tokens = [_token(password="another-long-pass-2026")["token"] for _ in range(2)]
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    assert not any(_works(t) for t in tokens)
    assert not AuthToken.objects.filter(user=user).exists()


def test_unrelated_save_keeps_the_tokens(user):
    token = _token()["token"]
    user.first_name = "Li"
    user.save()
    assert _works(token)


def test_web_logout_revokes_every_token(user):
    phone, laptop = _token()["token"], _token()["token"]
    page = Client()
    page.post("/accounts/login/", {"username": "agent", "password": "secret-pass-1"})
    page.post("/accounts/logout/")
    assert not _works(phone)
    assert not _works(laptop)


def test_wrong_password_gets_no_token(user):
    response = APIClient().post(
        "/api/auth/token/",
        {"username": "agent", "password": "wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert not AuthToken.objects.exists()
    missing = APIClient().post("/api/auth/token/", {"username": "agent"}, format="json")
    assert missing.status_code == 400
    assert "password" in missing.json()


def test_a_deactivated_user_gets_no_token(user):
    user.is_active = False
    user.save()
    response = APIClient().post(
        "/api/auth/token/", {"username": "agent", "password": "secret-pass-1"}, format="json"
    )
    assert response.status_code == 400


def test_only_superusers_see_tokens_in_the_admin_and_never_a_key(user):
    key = _token()["token"]
    token = AuthToken.objects.get(user=user)
    UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="boss", role="manager")
    listing = "/admin/knox/authtoken/"
    change = f"/admin/knox/authtoken/{token.pk}/change/"

    manager = Client()
    assert (
        manager.post("/admin/login/", {"username": "boss", "password": "secret-pass-1"}).status_code
        == 302
    )
    assert manager.get("/admin/").status_code == 200
    assert "authtoken" not in manager.get("/admin/").content.decode()
    assert manager.get(listing).status_code == 403
    assert manager.get(change).status_code == 403

    root = Client()
    root.post("/admin/login/", {"username": "root", "password": "secret-pass-1"})
    page = root.get(listing)
    assert page.status_code == 200
    body = page.content.decode()
    assert "agent" in body
    assert key[:8] not in body
    detail = root.get(change).content.decode()
    assert key[:8] not in detail
    assert token.token_key not in detail
    # No token for someone else made in the admin, which would show its key.
    assert root.get("/admin/knox/authtoken/add/").status_code == 403

    # Deleting the row revokes that device.
    response = root.post(f"/admin/knox/authtoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not _works(key)
