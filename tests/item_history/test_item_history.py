"""A covered item's history: its tickets, the engineer's visits, the parts put into it, the
substitute lent, the planned downtime that stopped it, in one list, latest first; for the
staff every item's, for a customer's contacts their own, each source in their scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.services.visits import inspection_review, inspection_submit
from maintenance.services import downtime_plan
from spares.services import part_settle, part_take, substitute_install, substitute_return
from tests.inspections.test_services import answer_all, make_inspection
from tests.spares.conftest import hardware_fault
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch, ticket_transition
from tickets.work_services import ticket_check_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def lived(shop):
    """The gateway's last days: a fault, a visit, a part, a substitute lent and taken back,
    and a firmware window planned for next week."""
    now = timezone.now()
    ticket = hardware_fault(shop, now - timedelta(hours=6))
    ticket_acknowledge(ticket_id=ticket.pk, user=shop["agent"])
    ticket_dispatch(ticket_id=ticket.pk, user=shop["agent"], engineer=shop["engineer"])
    ticket_transition(ticket_id=ticket.pk, name="depart", user=shop["engineer"])
    ticket_check_in(ticket=ticket, user=shop["engineer"], latitude="31.1", longitude="121.4")
    use = part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"])
    part_settle(use=use, user=shop["engineer"], note="Burnt")
    substitute = substitute_install(
        ticket=ticket, user=shop["engineer"], device="Spare gateway", location="Rack 2"
    )
    substitute_return(substitute=substitute, user=shop["engineer"])
    window = downtime_plan(
        user=shop["agent"],
        site=shop["site"],
        items=[shop["hardware"]],
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2),
        reason="Firmware 2.4.1",
    )
    return {**shop, "ticket": ticket, "window": window}


def _kinds(entries) -> list[str]:
    return [entry["kind"] for entry in entries]


def test_the_api_tells_the_items_life_latest_first(lived, api):
    answer = api(lived["agent"]).get(f"/api/items/{lived['hardware'].pk}/history/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["serial_number"] == "DJ-HW-0107"
    kinds = _kinds(body["entries"])
    assert kinds[0] == "downtime"  # next week's window comes first
    assert set(kinds) == {"downtime", "substitute", "part", "check_in", "ticket"}
    assert kinds[-1] == "ticket"  # the call came first
    moments = [entry["at"] for entry in body["entries"]]
    assert moments == sorted(moments, reverse=True)
    part = next(entry for entry in body["entries"] if entry["kind"] == "part")
    assert part["ticket"] == lived["ticket"].number and "PSU" in part["title"]


def test_the_customer_sees_their_items_life_and_nobody_elses(lived, api, client):
    mine = api(lived["customer_user"]).get(f"/api/items/{lived['hardware'].pk}/history/")
    assert mine.status_code == 200 and "ticket" in _kinds(mine.json()["entries"])
    other = api(lived["other_customer_user"]).get(f"/api/items/{lived['hardware'].pk}/history/")
    assert other.status_code == 404
    client.force_login(lived["customer_user"])
    page = client.get(f"/items/{lived['hardware'].pk}/").content.decode()
    assert f'href="/portal/tickets/{lived["ticket"].number}/"' in page
    assert "Firmware 2.4.1" in page
    portal = client.get(f"/portal/tickets/{lived['ticket'].number}/").content.decode()
    assert f'href="/items/{lived["hardware"].pk}/"' in portal
    client.force_login(lived["other_customer_user"])
    assert client.get(f"/items/{lived['hardware'].pk}/").status_code == 404


def test_the_ticket_page_links_the_item_and_the_page_links_back(lived, client):
    client.force_login(lived["engineer"])
    ticket_page = client.get(f"/desk/tickets/{lived['ticket'].number}/").content.decode()
    assert f'href="/items/{lived["hardware"].pk}/"' in ticket_page
    page = client.get(f"/items/{lived['hardware'].pk}/").content.decode()
    assert f'href="/desk/tickets/{lived["ticket"].number}/"' in page
    assert 'data-kind="part"' in page and 'data-kind="check_in"' in page


def test_the_inspections_of_its_site_once_the_reader_may_see_them(lived, checklist, api):
    inspection = make_inspection(lived, checklist, due_on=timezone.localdate())
    answer_all(inspection, checklist, lived["engineer"])
    inspection_submit(inspection=inspection, user=lived["engineer"])
    url = f"/api/items/{lived['hardware'].pk}/history/"

    def inspections(user):
        entries = api(user).get(url).json()["entries"]
        return [entry for entry in entries if entry["kind"] == "inspection"]

    staff_view = inspections(lived["manager"])
    assert [entry["inspection"] for entry in staff_view] == [inspection.pk]
    assert staff_view[0]["detail"].startswith("检查 5 项，异常 0 项")  # in the site's language
    assert inspections(lived["customer_user"]) == []  # submitted, not reviewed yet
    inspection_review(inspection=inspection, user=lived["manager"], approve=True)
    assert [entry["inspection"] for entry in inspections(lived["customer_user"])] == [inspection.pk]
