"""The roster pages: staff read any branch, the branch's manager plans it (another
branch's manager, engineers and customers cannot), bad input never breaks the page, and
the console and dispatch say who is on duty now, on call or on site."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import DutyShift
from duty.weeks import week_name
from tests.duty.conftest import MONDAY
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _post(world, **changes):
    data = {
        "action": "shift",
        "engineer": world["engineer"].pk,
        "starts_at": "2026-09-28T08:00",
        "ends_at": "2026-09-28T20:00",
        "mode": "on_site",
        "kind": "holiday",
        "site": world["site"].pk,
        "event": "",
        "note": "现场值班",
        "form_token": "t-1",
    }
    data.update(changes)
    return data


def test_the_week_page_is_a_seven_day_grid_with_today_marked(client, world, put_on_duty):
    today = timezone.localdate()
    put_on_duty(starts_at=timezone.now() - timedelta(hours=1), hours=4, mode="on_site")
    page = _as(client, world["agent"]).get("/duty/", {"branch": world["engineer"].branch.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="card roster-day') == 7
    assert f'data-day="{today.isoformat()}"' in html and 'data-testid="today"' in html
    assert 'data-mode="on_site"' in html
    monday = today - timedelta(days=today.weekday())
    assert f"week={week_name(monday - timedelta(days=7))}" in html
    assert f"week={week_name(monday + timedelta(days=7))}" in html
    assert page.context["can_plan"] is False  # agents read


@pytest.mark.parametrize(
    "week", ["2026-W99", "abc", "\x00", "2026-W00", "0001-W01", "9999-W01", "2026-W53x"]
)
def test_any_week_string_shows_a_page(client, world, week):
    page = _as(client, world["manager"]).get("/duty/", {"week": week, "branch": "9" * 30})
    assert page.status_code == 200


def test_customers_are_refused(client, world):
    assert _as(client, world["customer_user"]).get("/duty/").status_code == 403


def test_the_manager_adds_a_shift_and_a_refusal_keeps_what_was_typed(client, world):
    c = _as(client, world["manager"])
    url = f"/duty/?branch={world['engineer'].branch.pk}&week=2026-W40"
    response = c.post(url, _post(world))
    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert (shift.mode, shift.kind, shift.site, shift.note) == (
        "on_site",
        "holiday",
        world["site"],
        "现场值班",
    )
    assert response["Location"].endswith("week=2026-W40")
    # The same engineer again at an overlapping time: refused beside the field, kept.
    again = c.post(url, _post(world, starts_at="2026-09-28T19:00", form_token="t-2"))
    assert again.status_code == 400
    assert "already on duty" in again.content.decode()
    assert again.context["shift_form"]["note"].value() == "现场值班"
    assert DutyShift.objects.count() == 1


def test_others_may_not_plan_the_branch(client, world, north):
    url = f"/duty/?branch={world['engineer'].branch.pk}&week=2026-W40"
    for user in [north["manager"], world["engineer"], world["agent"]]:
        client.logout()
        assert _as(client, user).post(url, _post(world)).status_code == 403
    assert not DutyShift.objects.exists()


def test_change_remove_and_copy(client, world, put_on_duty, north):
    shift = put_on_duty(hours=12)
    c = _as(client, world["manager"])
    edit = c.get(f"/duty/shifts/{shift.pk}/")
    assert edit.status_code == 200
    changed = c.post(
        f"/duty/shifts/{shift.pk}/",
        _post(world, kind="regular", mode="on_call", site="", ends_at="2026-09-28T22:00"),
    )
    assert changed.status_code == 302
    shift.refresh_from_db()
    assert shift.ends_at == MONDAY + timedelta(hours=22) and shift.mode == "on_call"
    copied = c.post(
        "/duty/copy/",
        {"branch": world["engineer"].branch.pk, "week": "2026-W41", "form_token": "c-1"},
    )
    assert copied.status_code == 302
    assert DutyShift.objects.count() == 2
    # Another branch's manager may not change, remove or copy it.
    client.logout()
    other = _as(client, north["manager"])
    assert other.get(f"/duty/shifts/{shift.pk}/").status_code == 403
    assert other.post(f"/duty/shifts/{shift.pk}/remove/").status_code == 403
    assert (
        other.post(
            "/duty/copy/", {"branch": world["engineer"].branch.pk, "week": "2026-W42"}
        ).status_code
        == 403
    )
    client.logout()
    c = _as(client, world["manager"])
    assert c.post(f"/duty/shifts/{shift.pk}/remove/").status_code == 302
    assert DutyShift.objects.count() == 1
    assert c.get("/duty/shifts/99999999999999999999/").status_code == 404


def test_the_console_shows_who_is_on_duty_now_on_site(client, world, put_on_duty):
    put_on_duty(
        starts_at=timezone.now() - timedelta(hours=1),
        hours=4,
        mode="on_site",
        site=world["site"],
        kind="event",
        event="保障会议",
    )
    page = _as(client, world["agent"]).get("/desk/call/", {"q": "DJ-2024-017"})
    html = page.content.decode()
    assert 'data-duty-engineer="engineer"' in html
    assert "On site" in html and "保障会议" in html


def test_dispatch_says_on_site_or_on_call(client, world, put_on_duty):
    put_on_duty(starts_at=timezone.now() - timedelta(hours=1), hours=4, mode="on_site")
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        contact=world["contact"],
        site=world["site"],
        covered_item=world["hardware"],
        contract=world["contract"],
        kind="fault",
        priority="P2",
        summary="泵站数据中断",
        description="",
        channel="phone",
    )
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    page = _as(client, world["agent"]).get(f"/desk/tickets/{ticket.number}/")
    suggested = {e.username: e for e in page.context["suggested"]}
    assert suggested["engineer"].on_duty and suggested["engineer"].duty_mode == "on_site"
    assert "on duty on site" in page.content.decode()
