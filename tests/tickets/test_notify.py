"""One notification service: each person told once, in the language they read."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.translatable import Message
from tests.tickets.conftest import shanghai
from tests.tickets.test_escalation import _ticket
from tickets.escalation import sweep_due_steps
from tickets.models import Notification
from tickets.notify import notify

pytestmark = pytest.mark.django_db

T0 = shanghai(2026, 11, 25, 10, 0)


@pytest.fixture
def breached(world):
    """A P1 ticket whose response deadline passed: the manager is told."""
    ticket = _ticket(world, at=T0)
    sweep_due_steps(now=T0 + timedelta(minutes=31))
    return ticket


def _page(client, user, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get("/notifications/").content.decode()


def test_the_notifications_page_speaks_the_readers_language(client, world, breached):
    english = _page(client, world["manager"], "en")
    assert f"[{breached.number}] Response deadline breached" in english
    assert "Priority P1, deadline 2026-11-25 10:30." in english
    assert "已超时" not in english
    chinese = _page(client, world["manager"], "zh-hans")
    assert f"[{breached.number}] 响应已超时" in chinese
    assert "优先级 P1，截止时间 2026-11-25 10:30。" in chinese
    assert "deadline breached" not in chinese


def test_the_api_gives_notifications_in_the_readers_language(api, world, breached):
    manager = api(world["manager"])
    english = manager.get("/api/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = manager.get("/api/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["results"][0]["title"] == f"[{breached.number}] Response deadline breached"
    assert chinese["results"][0]["title"] == f"[{breached.number}] 响应已超时"
    assert "Priority P1" in english["results"][0]["body"]
    assert "优先级 P1" in chinese["results"][0]["body"]
    one = manager.post(
        f"/api/notifications/{english['results'][0]['id']}/read/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert one.json()["title"] == english["results"][0]["title"]


def test_the_stored_text_is_the_site_language_and_the_message_its_source(world, breached):
    note = Notification.objects.get(user=world["manager"])
    # What the admin lists and searches: as written, in the site's language.
    assert note.title == f"[{breached.number}] 响应已超时"
    # What readers get: the msgid and parameters, a label kept as its own msgid.
    assert note.message["title"] == {"msgid": "[%(number)s] %(clock)s deadline breached"}
    assert note.message["params"]["clock"] == {"msgid": "Response"}
    assert note.message["params"]["number"] == breached.number


def test_a_notification_written_before_messages_were_kept_reads_as_stored(client, world):
    # As the migration leaves an old row: plain text, no message.
    Notification.objects.create(user=world["manager"], title="旧的通知", body="原文")
    english = _page(client, world["manager"], "en")
    assert "旧的通知" in english and "原文" in english


def test_text_a_person_typed_is_shown_as_typed_in_every_language(world):
    message = Message(
        gettext_lazy("Inspection sent back: %(contract)s %(site)s"),
        "Redo item 3: 50% of the photos are missing",
        {"contract": "DJ-2024-017", "site": "调度中心"},
    )
    assert notify([world["engineer"]], message) == 1
    note = Notification.objects.get(user=world["engineer"])
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert note.display_body == "Redo item 3: 50% of the photos are missing"
    with translation.override("en"):
        assert note.display_title == "Inspection sent back: DJ-2024-017 调度中心"


def test_each_active_person_is_told_once_and_a_key_is_never_repeated(world):
    world["leader"].is_active = False
    world["leader"].save()
    message = Message(gettext_lazy("%(year)s holidays not confirmed yet"), "", {"year": 2027})
    people = [world["manager"], world["manager"], None, world["leader"], world["agent"]]
    assert notify(people, message, key="holiday-year-2027") == 2
    assert notify(people, message, key="holiday-year-2027") == 0
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "agent",
        "manager",
    ]


def test_a_person_without_an_address_is_told_in_the_app_only(world):
    world["agent"].email = ""
    world["agent"].save()
    message = Message(gettext_lazy("Please answer our satisfaction survey"))
    notify([world["agent"], world["manager"]], message)
    due = dict(Notification.objects.values_list("user__username", "email_due_at"))
    assert due["agent"] is None and due["manager"] is not None
