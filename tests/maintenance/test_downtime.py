"""Planned downtime (seed 000, 1.5.5): the customer's people told when a window is planned,
reminded before it starts, told again on each change or cancellation, never twice for the
same version; tickets reported inside a window flagged with it; the pages, the portal and
the API in their scope."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from contracts.models import Contact
from core.errors import TransitionConflict, TransitionForbidden
from maintenance.models import DowntimeWindow
from maintenance.selectors import windows_of_ticket
from maintenance.services import (
    downtime_cancel,
    downtime_change,
    downtime_plan,
    downtime_remind,
)
from tests.tickets.conftest import shanghai
from tickets.mail import notifications_deliver
from tickets.models import Notification
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 11, 24, 9, 0)


def _plan(world, *, starts=NOW + timedelta(days=2), hours=3, items=(), now=NOW, **extra):
    return downtime_plan(
        user=world["agent"],
        site=world["site"],
        items=items,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        reason="OS security patches",
        work="Patch and restart the application servers.",
        now=now,
        **extra,
    )


def _told(window) -> dict[str, set[str]]:
    """Who got which notice of the window: {kind of notice: usernames}."""
    found: dict[str, set[str]] = {}
    for key, username in Notification.objects.filter(
        key__startswith=f"downtime:{window.pk}:"
    ).values_list("key", "user__username"):
        found.setdefault(key.split(":", 2)[2], set()).add(username)
    return found


def test_planned_reminded_changed_and_cancelled_each_told_once(world):
    window = _plan(world)
    assert _told(window) == {"v1:planned": {"customer", "agent", "engineer"}}
    message = Notification.objects.filter(user=world["customer_user"]).get()
    with translation.override("en"):
        assert message.display_title.startswith("Planned maintenance at 调度中心: 2026-11-26 09:00")
    # Not yet: the reminder goes 24 h before the start, once however often the run goes.
    assert downtime_remind(now=NOW + timedelta(hours=23)) == 0
    assert downtime_remind(now=NOW + timedelta(days=1, hours=1)) == 1
    assert downtime_remind(now=NOW + timedelta(days=1, hours=2)) == 0
    call_command("downtime_remind", stdout=io.StringIO())
    assert set(_told(window)) == {"v1:planned", "v1:reminder"}
    # Moved a day later: told again, and reminded again before the new start.
    moved = downtime_change(
        window=window,
        user=world["manager"],
        starts_at=window.starts_at + timedelta(days=1),
        ends_at=window.ends_at + timedelta(days=1),
        reason=window.reason,
        now=NOW + timedelta(days=1, hours=3),
    )
    assert moved.version == 2 and "v2:changed" in _told(window)
    assert downtime_remind(now=NOW + timedelta(days=2, hours=1)) == 1
    downtime_cancel(window=window, user=world["agent"], now=NOW + timedelta(days=2, hours=2))
    assert "v3:cancelled" in _told(window)
    assert downtime_remind(now=NOW + timedelta(days=2, hours=3)) == 0
    with pytest.raises(TransitionConflict):
        downtime_cancel(window=window, user=world["agent"], now=NOW + timedelta(days=2, hours=4))


def test_a_window_must_make_sense_and_be_planned_by_the_desk(world):
    with pytest.raises(ValidationError) as refused:
        _plan(world, starts=NOW - timedelta(hours=1))
    assert set(refused.value.message_dict) == {"starts_at"}
    with pytest.raises(ValidationError) as refused:
        _plan(world, hours=-1)
    assert set(refused.value.message_dict) == {"ends_at"}
    other_item = world["other_contract"].customer.items.create(name="Kiosk", kind="hardware")
    with pytest.raises(ValidationError) as refused:
        _plan(world, items=[other_item], notice_hours="soon")
    assert set(refused.value.message_dict) == {"items", "notice_hours"}
    for user in ("engineer", "customer_user"):
        with pytest.raises(TransitionForbidden):
            downtime_plan(
                user=world[user], site=world["site"], starts_at=NOW + timedelta(days=1),
                ends_at=NOW + timedelta(days=1, hours=1), reason="x", now=NOW,
            )  # fmt: skip
    assert not DowntimeWindow.objects.exists()
    assert not Notification.objects.exists()


def test_tickets_reported_inside_a_window_are_flagged_with_it(world):
    on_item = _plan(world, items=[world["hardware"]])
    whole_site = _plan(world, starts=NOW + timedelta(days=5))

    def reported(at, item=None):
        return ticket_create(
            created_by=world["agent"], customer=world["customer"], site=world["site"],
            covered_item=item, kind="fault", priority="P2", summary="Screens frozen",
            channel="phone", reported_at=at, now=at,
        )  # fmt: skip

    during_item = on_item.starts_at + timedelta(hours=1)
    during_site = whole_site.starts_at + timedelta(minutes=5)
    assert list(windows_of_ticket(reported(during_item, world["hardware"]))) == [on_item]
    assert list(windows_of_ticket(reported(during_item, world["software"]))) == []
    assert list(windows_of_ticket(reported(during_site))) == [whole_site]
    assert list(windows_of_ticket(reported(whole_site.ends_at))) == []
    downtime_cancel(window=whole_site, user=world["agent"], now=NOW)
    assert list(windows_of_ticket(reported(whole_site.starts_at + timedelta(minutes=6)))) == []


def test_pages_portal_and_api_in_their_scope(world, client, api):
    now = timezone.now()
    window = _plan(world, starts=now + timedelta(days=1), now=now)
    client.force_login(world["customer_user"])
    home = client.get("/portal/").content.decode()
    assert 'data-testid="upcoming-downtime"' in home and "OS security patches" in home
    assert client.get(f"/maintenance/{window.pk}/").status_code == 200
    assert 'data-testid="plan"' not in client.get("/maintenance/").content.decode()
    client.force_login(world["other_customer_user"])
    assert client.get(f"/maintenance/{window.pk}/").status_code == 404
    assert "OS security patches" not in client.get("/portal/").content.decode()
    client.force_login(world["agent"])
    refused = client.post(
        "/maintenance/",
        {"site": world["site"].pk, "starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00",
         "reason": "Disk swap"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert 'data-field-error="starts_at"' in refused.content.decode()
    assert 'value="Disk swap"' in refused.content.decode()
    start = timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    end = timezone.localtime(now + timedelta(days=3, hours=2)).strftime("%Y-%m-%dT%H:%M")
    planned = client.post(
        "/maintenance/",
        {"site": world["site"].pk, "starts_at": start, "ends_at": end, "reason": "Disk swap"},
    )
    assert planned.status_code == 302 and DowntimeWindow.objects.count() == 2

    listed = api(world["customer_user"]).get("/api/maintenance/windows/").json()["results"]
    assert {row["reason"] for row in listed} == {"OS security patches", "Disk swap"}
    assert (
        api(world["other_customer_user"]).get("/api/maintenance/windows/").json()["results"] == []
    )
    created = api(world["manager"]).post(
        "/api/maintenance/windows/",
        {"site": world["site"].pk, "starts_at": (now + timedelta(days=4)).isoformat(),
         "ends_at": (now + timedelta(days=4, hours=1)).isoformat(), "reason": "UPS test"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    bad = api(world["manager"]).post(
        "/api/maintenance/windows/",
        {"site": world["site"].pk, "starts_at": now.isoformat(), "ends_at": now.isoformat(),
         "reason": "Too late"},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and {"starts_at", "ends_at"} <= set(bad.json())
    pk = created.json()["id"]
    cancelled = api(world["manager"]).post(f"/api/maintenance/windows/{pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert api(world["manager"]).post(f"/api/maintenance/windows/{pk}/cancel/").status_code == 409
    engineer = api(world["engineer"])
    assert engineer.post(f"/api/maintenance/windows/{window.pk}/cancel/").status_code == 403


def test_contacts_without_a_login_get_the_notices_by_email_once(world, mailoutbox):
    Contact.objects.create(
        customer=world["customer"], name="值班调度员", email="Duty@Example.com", phone="021-1"
    )
    window = _plan(world)
    downtime_remind(now=NOW + timedelta(days=1, hours=1))
    downtime_remind(now=NOW + timedelta(days=1, hours=2))
    by_mail = Notification.objects.filter(user__isnull=True)
    assert sorted(by_mail.values_list("address", "key")) == [
        ("duty@example.com", f"downtime:{window.pk}:v1:planned"),
        ("duty@example.com", f"downtime:{window.pk}:v1:reminder"),
    ]
    mailoutbox.clear()
    notifications_deliver()
    sent = [m for m in mailoutbox if m.to == ["duty@example.com"]]
    assert len(sent) == 2 and "调度中心" in sent[0].subject
    assert not by_mail.filter(email_due_at__isnull=False).exists()
    # Not in anyone's list of notifications in the app: nobody logs in as this address.
    assert not Notification.objects.filter(user__isnull=True, read_at__isnull=False).exists()
