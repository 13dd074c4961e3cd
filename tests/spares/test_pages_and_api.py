"""The spares where people use them: the ticket page's panel, the stock page, the portal,
and `/api/spares/…`, each calling the same services (tests/spares/test_parts.py)."""

import pytest

from spares.models import PartUse, StockItem, Substitute
from tests.spares.conftest import hardware_fault

pytestmark = pytest.mark.django_db


def _stock(item) -> int:
    return StockItem.objects.get(pk=item.pk).quantity


def test_the_ticket_page_takes_a_part_and_keeps_what_was_typed_when_refused(shop, client):
    ticket = hardware_fault(shop)
    client.force_login(shop["engineer"])
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="spares"' in page and "PSU (GW-200)" in page
    assert "MB-1" in page
    refused = client.post(
        f"/spares/tickets/{ticket.number}/take/", {"stock_item": shop["psu"].pk, "quantity": "9"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field-error="quantity"' in html and 'value="9"' in html
    assert _stock(shop["psu"]) == 3
    taken = client.post(
        f"/spares/tickets/{ticket.number}/take/", {"stock_item": shop["psu"].pk, "quantity": "2"}
    )
    assert taken.status_code == 302
    use = PartUse.objects.get()
    assert _stock(shop["psu"]) == 1
    settled = client.post(
        f"/spares/tickets/{ticket.number}/settle/",
        {"use": use.pk, f"use{use.pk}-used": "1", f"use{use.pk}-note": "one was enough"},
    )
    assert settled.status_code == 302
    use.refresh_from_db()
    assert (use.state, use.used_quantity, _stock(shop["psu"])) == ("used", 1, 2)


def test_the_substitute_form_keeps_what_was_typed_and_installing_stops_the_clock(shop, client):
    ticket = hardware_fault(shop)
    client.force_login(shop["engineer"])
    refused = client.post(
        f"/spares/tickets/{ticket.number}/substitute/", {"device": "Spare gateway", "location": ""}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field-error="location"' in html and 'value="Spare gateway"' in html
    assert not Substitute.objects.exists()
    client.post(
        f"/spares/tickets/{ticket.number}/substitute/",
        {"device": "Spare gateway", "serial_number": "GW-S1", "location": "Rack 2"},
    )
    assert ticket.clocks.get(kind="substitute").status == "met"
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Spare gateway [GW-S1]" in page and 'data-action="return-substitute"' in page
    substitute = Substitute.objects.get()
    client.post(
        f"/spares/tickets/{ticket.number}/substitute/return/", {"substitute": substitute.pk}
    )
    substitute.refresh_from_db()
    assert substitute.returned_at is not None


def test_another_branchs_engineer_cannot_post_to_the_panel(shop, client):
    ticket = hardware_fault(shop)
    client.force_login(shop["engineer_north"])
    response = client.post(
        f"/spares/tickets/{ticket.number}/take/", {"stock_item": shop["psu"].pk, "quantity": "1"}
    )
    assert response.status_code == 404
    assert _stock(shop["psu"]) == 3


def test_the_portal_shows_the_customer_what_went_into_their_device(shop, client):
    ticket = hardware_fault(shop)
    from spares.services import part_settle, part_take, substitute_install

    use = part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"])
    part_settle(use=use, user=shop["engineer"])
    substitute_install(
        ticket=ticket, user=shop["engineer"], device="Spare gateway", location="Rack 2"
    )
    client.force_login(shop["customer_user"])
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'id="spares"' in page and "1 × PSU (GW-200)" in page and "Spare gateway" in page
    client.force_login(shop["other_customer_user"])
    assert client.get(f"/portal/tickets/{ticket.number}/").status_code == 404


def test_the_stock_page_lists_flags_low_parts_and_lets_managers_receive(shop, client):
    StockItem.objects.filter(pk=shop["psu"].pk).update(quantity=2)
    client.force_login(shop["agent"])
    page = client.get("/spares/").content.decode()
    assert "PSU" in page and 'data-testid="low-stock"' in page
    assert 'data-testid="receive"' not in page
    assert "MB-1" not in client.get("/spares/?q=PSU").content.decode()
    client.force_login(shop["manager"])
    refused = client.post(
        "/spares/", {"branch": shop["psu"].branch_id, "name": "Fan", "quantity": "lots"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field-error="quantity"' in html and 'value="Fan"' in html
    received = client.post(
        "/spares/",
        {"branch": shop["psu"].branch_id, "name": "Fan", "quantity": "6", "location": "B-1"},
    )
    assert received.status_code == 302
    assert StockItem.objects.get(name="Fan").quantity == 6
    client.force_login(shop["customer_user"])
    assert client.get("/spares/").status_code == 403


def test_the_api_receives_takes_settles_and_installs_as_the_pages_do(shop, api):
    ticket = hardware_fault(shop)
    manager, engineer = api(shop["manager"]), api(shop["engineer"])
    created = manager.post(
        "/api/spares/stock/",
        {"branch": shop["psu"].branch_id, "name": "Fan", "quantity": 4},
        format="json",
    )
    assert created.status_code == 201 and created.json()["quantity"] == 4
    refused = engineer.post(
        "/api/spares/stock/", {"branch": shop["psu"].branch_id, "name": "Fan", "quantity": 1}
    )
    assert refused.status_code == 403
    bad = manager.post("/api/spares/stock/", {"branch": 999999, "name": ""}, format="json")
    assert bad.status_code == 400 and {"branch", "name"} <= set(bad.json())
    listed = engineer.get("/api/spares/stock/", {"q": "PSU"}).json()
    assert {row["name"] for row in listed["results"]} == {"PSU"}

    too_many = engineer.post(
        "/api/spares/parts/",
        {"ticket": ticket.number, "stock_item": shop["psu"].pk, "quantity": 9},
        format="json",
    )
    assert too_many.status_code == 400 and "quantity" in too_many.json()
    taken = engineer.post(
        "/api/spares/parts/",
        {"ticket": ticket.number, "stock_item": shop["psu"].pk, "quantity": 2},
        format="json",
    )
    assert taken.status_code == 201, taken.json()
    use = taken.json()
    assert (use["state"], use["ticket"], _stock(shop["psu"])) == ("taken", ticket.number, 1)
    settled = engineer.post(f"/api/spares/parts/{use['id']}/settle/", {"used": 1}, format="json")
    assert settled.status_code == 200 and settled.json()["state"] == "used"
    again = engineer.post(f"/api/spares/parts/{use['id']}/settle/", {}, format="json")
    assert again.status_code == 409

    installed = engineer.post(
        "/api/spares/substitutes/",
        {"ticket": ticket.number, "device": "Spare gateway", "location": "Rack 2"},
        format="json",
    )
    assert installed.status_code == 201, installed.json()
    assert ticket.clocks.get(kind="substitute").status == "met"
    returned = engineer.post(f"/api/spares/substitutes/{installed.json()['id']}/return/")
    assert returned.status_code == 200 and returned.json()["returned_at"]

    # Customers read their own tickets' parts and substitutes, and nobody else's.
    mine = api(shop["customer_user"]).get("/api/spares/substitutes/").json()["results"]
    assert [row["ticket"] for row in mine] == [ticket.number]
    assert api(shop["other_customer_user"]).get("/api/spares/parts/").json()["results"] == []
    assert (
        api(shop["other_customer_user"])
        .post("/api/spares/parts/", {"ticket": ticket.number, "stock_item": shop["psu"].pk})
        .json()
    ).keys() == {"ticket"}
    assert api(shop["customer_user"]).get("/api/spares/stock/").json()["results"] == []
