"""Versions, upgrades and software notices (seed 000, 1.5.6; seed 004, 7.1.4 and 7.3.1.5):
the seven steps in their order, the way back with its reason and the retry, the item's new
version once observed running; notices to the customers whose items run the software,
read receipts once per contact."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import TransitionConflict, TransitionForbidden
from maintenance.models import InstalledVersion, NoticeReceipt, Upgrade
from maintenance.notices import notice_publish
from maintenance.upgrades import (
    current_version,
    next_step,
    upgrade_plan,
    upgrade_retry,
    upgrade_roll_back,
    upgrade_step,
    version_record,
)
from tickets.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def software(world):
    item = world["software"]
    version_record(item=item, user=world["agent"], version="V3.2", note="Found at acceptance")
    return item


def _plan(world, item, **extra):
    values = {"to_version": "V3.3", "plan": "Back up, stop, install, observe.", **extra}
    return upgrade_plan(user=world["agent"], item=item, engineer=world["engineer"], **values)


def _steps(world, upgrade, *names):
    for name in names:
        upgrade = upgrade_step(upgrade=upgrade, user=world["engineer"], step=name, note=name)
    return upgrade


def test_the_seven_steps_in_order_then_the_new_version(world, software):
    upgrade = _plan(world, software)
    assert (upgrade.state, upgrade.from_version, next_step(upgrade)) == (
        "planned",
        "V3.2",
        "backup",
    )
    with pytest.raises(TransitionConflict):
        upgrade_step(upgrade=upgrade, user=world["engineer"], step="install")
    with pytest.raises(TransitionForbidden):
        upgrade_step(upgrade=upgrade, user=world["engineer_north"], step="backup")
    upgrade = _steps(world, upgrade, "backup", "stop", "install", "start")
    assert upgrade.state == "in_progress" and current_version(software) == "V3.2"
    upgrade = _steps(world, upgrade, "observe")
    assert upgrade.state == "done" and current_version(software) == "V3.3"
    assert InstalledVersion.objects.get(item=software, version="V3.3").upgrade == upgrade
    with pytest.raises(TransitionConflict):
        upgrade_step(upgrade=upgrade, user=world["engineer"], step="observe")


def test_the_way_back_says_why_and_a_retry_starts_from_the_backup(world, software):
    upgrade = _plan(world, software)
    with pytest.raises(TransitionConflict):  # nothing to restore before the backup
        upgrade_roll_back(upgrade=upgrade, user=world["engineer"], reason="x")
    upgrade = _steps(world, upgrade, "backup", "stop", "install", "start")
    with pytest.raises(ValidationError):
        upgrade_roll_back(upgrade=upgrade, user=world["engineer"], reason="  ")
    upgrade = upgrade_roll_back(
        upgrade=upgrade, user=world["engineer"], reason="Reports service fails to start"
    )
    assert upgrade.state == "rolled_back" and current_version(software) == "V3.2"
    restore = upgrade.steps.get(step="restore")
    assert restore.note == "Reports service fails to start"
    upgrade = upgrade_retry(upgrade=upgrade, user=world["engineer"])
    assert (upgrade.attempt, next_step(upgrade)) == (2, "backup")
    upgrade = _steps(world, upgrade, "backup", "stop", "install", "start", "observe")
    assert upgrade.state == "done" and current_version(software) == "V3.3"
    assert upgrade.steps.filter(attempt=1).count() == 6  # plan, 4 steps, restore


def test_a_plan_needs_a_new_version_an_engineer_and_the_customers_window(world, software):
    with pytest.raises(ValidationError) as refused:
        upgrade_plan(
            user=world["agent"], item=software, to_version="V3.2", plan=" ",
            engineer=world["agent"],
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"to_version", "plan", "engineer"}
    with pytest.raises(TransitionForbidden):
        _plan({**world, "agent": world["engineer"]}, software)
    assert not Upgrade.objects.exists()


def test_notices_reach_the_customers_running_the_version_and_record_who_read(world, software, api):
    other = world["other_contract"].customer.items.create(
        name=software.name, kind="software", model="V3.1"
    )
    world["customer"].contacts.create(name="Duty desk", email="duty@example.com")
    notice = notice_publish(
        user=world["manager"], kind="bug", product=software.name, versions="V3.2, V3.2.1",
        title="Export may time out", body="Export month by month until 3.3.",
    )  # fmt: skip
    assert list(notice.customers.all()) == [world["customer"]]
    assert other.customer not in notice.customers.all()
    told = Notification.objects.filter(key=f"software-notice:{notice.pk}")
    assert set(told.values_list("user__username", "address")) == {
        ("customer", ""),
        (None, "duty@example.com"),  # no login: by e-mail alone
    }
    customer = api(world["customer_user"])
    listed = customer.get("/api/maintenance/notices/").json()["results"]
    assert [(row["id"], row["read"]) for row in listed] == [(notice.pk, False)]
    customer.post(f"/api/maintenance/notices/{notice.pk}/read/")
    customer.post(f"/api/maintenance/notices/{notice.pk}/read/")
    assert NoticeReceipt.objects.filter(notice=notice).count() == 1
    assert customer.get("/api/maintenance/notices/").json()["results"][0]["read"] is True
    outsider = api(world["other_customer_user"])
    assert outsider.get(f"/api/maintenance/notices/{notice.pk}/").status_code == 404
    with pytest.raises(ValidationError) as refused:
        notice_publish(
            user=world["manager"], kind="upgrade", product=software.name, versions="V9",
            title="x", body="y",
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"product"}
    with pytest.raises(TransitionForbidden):
        notice_publish(user=world["agent"], kind="bug", product=software.name, title="x", body="y")


def test_the_pages_plan_check_off_and_read(world, software, client):
    client.force_login(world["agent"])
    refused = client.post(
        f"/maintenance/items/{software.pk}/upgrade/",
        {"to_version": "V3.3", "plan": "", "engineer": world["engineer"].pk},
    )
    assert refused.status_code == 400 and 'value="V3.3"' in refused.content.decode()
    planned = client.post(
        f"/maintenance/items/{software.pk}/upgrade/",
        {"to_version": "V3.3", "plan": "Overnight", "engineer": world["engineer"].pk},
    )
    upgrade = Upgrade.objects.get()
    assert planned.status_code == 302 and planned.url == f"/maintenance/upgrades/{upgrade.pk}/"
    client.force_login(world["engineer"])
    page = client.get(f"/maintenance/upgrades/{upgrade.pk}/").content.decode()
    assert 'name="step" value="backup"' in page
    client.post(f"/maintenance/upgrades/{upgrade.pk}/step/", {"step": "backup", "note": "OK"})
    assert next_step(Upgrade.objects.get()) == "stop"
    wrong = client.post(f"/maintenance/upgrades/{upgrade.pk}/step/", {"step": "observe"})
    assert wrong.status_code == 400
    refused = client.post(f"/maintenance/upgrades/{upgrade.pk}/roll_back/", {"reason": ""})
    assert refused.status_code == 400 and 'data-field-error="reason"' in refused.content.decode()
    item_page = client.get(f"/items/{software.pk}/").content.decode()
    assert f'href="/maintenance/upgrades/{upgrade.pk}/"' in item_page
    assert 'data-kind="version"' in item_page


def test_one_upgrade_of_an_item_open_at_a_time_and_versions_checked_at_the_end(world, software):
    first = _plan(world, software)
    with pytest.raises(ValidationError) as refused:
        _plan(world, software, to_version="V4.0")
    assert set(refused.value.message_dict) == {"to_version"}
    first = _steps(world, first, "backup", "stop", "install", "start")
    # Someone records another version meanwhile: finishing would overwrite it.
    version_record(item=software, user=world["agent"], version="V3.2.1")
    with pytest.raises(TransitionConflict):
        _steps(world, first, "observe")
    assert current_version(software) == "V3.2.1"


def test_customers_see_versions_without_the_staffs_notes(world, software, api):
    entries = api(world["customer_user"]).get(f"/api/items/{software.pk}/history/").json()
    version = next(e for e in entries["entries"] if e["kind"] == "version")
    assert version["detail"] == ""
    staff = api(world["agent"]).get(f"/api/items/{software.pk}/history/").json()
    assert entries["running"] == staff["running"] == "V3.2"


def test_a_version_found_installed_is_recorded_from_the_page_or_the_api(world, client, api):
    item = world["hardware"]
    client.force_login(world["engineer"])
    refused = client.post(f"/items/{item.pk}/version/", {"version": "", "note": "seen on site"})
    assert refused.status_code == 400 and 'value="seen on site"' in refused.content.decode()
    assert client.post(f"/items/{item.pk}/version/", {"version": "2.3.0"}).status_code == 302
    assert current_version(item) == "2.3.0"
    answer = api(world["agent"]).post(
        f"/api/items/{item.pk}/versions/", {"version": "2.3.1"}, format="json"
    )
    assert answer.status_code == 201 and current_version(item) == "2.3.1"
    assert (
        api(world["customer_user"])
        .post(f"/api/items/{item.pk}/versions/", {"version": "9"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(world["other_customer_user"])
        .post(f"/api/items/{item.pk}/versions/", {"version": "9"}, format="json")
        .status_code
        == 404
    )
    assert current_version(item) == "2.3.1"
