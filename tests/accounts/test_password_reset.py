"""Password reset by email, end to end with the emailed link."""

import re

import pytest
from django.core import mail
from django.http import HttpRequest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_the_login_page_links_to_password_reset(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page
    assert "忘记密码？" in page


def test_reset_by_email_end_to_end(client):
    user = UserFactory(username="wang", email="wang@example.com", role="agent")

    form = client.get("/accounts/password_reset/")
    assert form.status_code == 200
    assert "重置密码" in form.content.decode()
    sent = client.post("/accounts/password_reset/", {"email": "wang@example.com"}, follow=True)
    assert sent.redirect_chain[-1][0] == "/accounts/password_reset/done/"
    assert "请查收邮件" in sent.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang@example.com"]
    assert "密码重置" in message.subject
    assert "wang" in message.body
    link = re.search(r"http://testserver(/accounts/password_reset/\S+/\S+/)", message.body)
    assert link, message.body

    # The link redirects once to a URL without the token (Django hides it from referrers).
    confirm = client.get(link.group(1), follow=True)
    assert confirm.status_code == 200
    assert 'name="new_password1"' in confirm.content.decode()
    set_url = confirm.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "Brand-new-pass-77", "new_password2": "Brand-new-pass-77"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/accounts/password_reset/complete/"
    assert "新密码已设置" in done.content.decode()

    user.refresh_from_db()
    assert user.check_password("Brand-new-pass-77")
    client.logout()
    assert client.login(request=HttpRequest(), username="wang", password="Brand-new-pass-77")
    client.logout()

    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert "此链接已失效" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()


def test_an_unknown_address_sends_nothing_and_says_the_same(client):
    UserFactory(username="li", email="li@example.com")
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_the_reset_pages_in_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/password_reset/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reset password" in page
