"""Parts taken from a branch's shelf for a ticket, used on the device or brought back; the
stock each move leaves, the alert when a part runs low, and who may do it."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import TransitionConflict, TransitionForbidden
from spares.models import PartUse, StockItem
from spares.selectors import low_stock_keys, replaced_parts
from spares.services import part_settle, part_take, stock_receive
from tests.spares.conftest import hardware_fault
from tests.tickets.conftest import shanghai
from tickets.models import Notification
from tickets.services.transitions import ticket_transition

pytestmark = pytest.mark.django_db

AT = shanghai(2026, 11, 24, 9, 0)


def _stock(item) -> int:
    return StockItem.objects.get(pk=item.pk).quantity


def test_parts_used_leave_the_stock_the_rest_come_back_and_the_item_remembers(shop):
    ticket = hardware_fault(shop, AT)
    use = part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"], quantity=2)
    assert _stock(shop["psu"]) == 1
    part_settle(use=use, user=shop["engineer"], used=1, note="Old one burnt")
    use.refresh_from_db()
    assert (use.state, use.used_quantity, use.covered_item) == ("used", 1, shop["hardware"])
    assert _stock(shop["psu"]) == 2
    assert list(replaced_parts(shop["hardware"])) == [use]
    # Settled once: a second answer is refused and changes nothing.
    with pytest.raises(TransitionConflict):
        part_settle(use=use, user=shop["engineer"], used=0)
    assert _stock(shop["psu"]) == 2
    actions = list(ticket.events.values_list("data__action", flat=True))
    assert actions.count("part_take") == 1 and actions.count("part_settle") == 1


def test_none_used_all_go_back_and_the_device_record_stays_empty(shop):
    ticket = hardware_fault(shop, AT)
    use = part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["board"])
    assert _stock(shop["board"]) == 0
    part_settle(use=use, user=shop["engineer"], used=0)
    use.refresh_from_db()
    assert (use.state, use.covered_item) == ("returned", None)
    assert _stock(shop["board"]) == 1
    assert not replaced_parts(shop["hardware"]).exists()


def test_taking_more_than_the_shelf_holds_is_refused_and_changes_nothing(shop):
    ticket = hardware_fault(shop, AT)
    with pytest.raises(ValidationError) as refused:
        part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"], quantity=4)
    assert "quantity" in refused.value.message_dict
    for quantity in ("0", "-1", "two", "1.5"):
        with pytest.raises(ValidationError):
            part_take(
                ticket=ticket, user=shop["engineer"], stock_item=shop["psu"], quantity=quantity
            )
    with pytest.raises(ValidationError):
        part_settle(
            use=part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"]),
            user=shop["engineer"],
            used=2,
        )
    assert _stock(shop["psu"]) == 2
    assert PartUse.objects.filter(state="taken").count() == 1


def test_parts_come_from_the_tickets_or_the_takers_branch_by_the_people_on_it(shop):
    ticket = hardware_fault(shop, AT)
    with pytest.raises(ValidationError) as refused:
        part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["north_psu"])
    assert "stock_item" in refused.value.message_dict
    for user in ("engineer_north", "customer_user"):
        with pytest.raises(TransitionForbidden):
            part_take(ticket=ticket, user=shop[user], stock_item=shop["psu"])
    assert _stock(shop["psu"]) == 3 and _stock(shop["north_psu"]) == 5


def test_the_branch_managers_are_told_once_when_a_part_falls_to_its_alert_level(shop):
    ticket = hardware_fault(shop, AT)
    part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"])  # 3 -> 2: alert
    part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"])  # 2 -> 1: still low
    alerts = Notification.objects.filter(key__startswith="low-stock:")
    assert list(alerts.values_list("user__username", flat=True)) == ["manager"]
    assert low_stock_keys(StockItem.objects.all()) == {(shop["psu"].branch_id, "PSU", "GW-200")}
    # Restocked above the level, then low again: a new alert.
    stock_receive(user=shop["manager"], branch=shop["psu"].branch, name="PSU", model="GW-200",
                  quantity=5, location="A-1")  # fmt: skip
    assert low_stock_keys(StockItem.objects.all()) == set()
    part_take(ticket=ticket, user=shop["engineer"], stock_item=shop["psu"], quantity=4)
    assert alerts.count() == 2


def test_receiving_adds_to_the_shelf_and_a_serial_number_is_one_unit(shop):
    branch = shop["psu"].branch
    item = stock_receive(user=shop["manager"], branch=branch, name="PSU", model="GW-200",
                         quantity="4", location="A-1")  # fmt: skip
    assert (item.pk, item.quantity) == (shop["psu"].pk, 7)
    unit = stock_receive(user=shop["manager"], branch=branch, name="Main board",
                         model="GW-200", serial_number="MB-2")  # fmt: skip
    assert unit.quantity == 1 and unit.pk != shop["board"].pk
    with pytest.raises(ValidationError) as refused:
        stock_receive(user=shop["manager"], branch=branch, name="Main board",
                      serial_number="MB-2", quantity=2)  # fmt: skip
    assert set(refused.value.message_dict) == {"quantity", "serial_number"}
    with pytest.raises(ValidationError) as refused:
        stock_receive(user=shop["manager"], branch=None, name=" ", quantity="x")
    assert set(refused.value.message_dict) == {"branch", "name", "quantity"}
    with pytest.raises(TransitionForbidden):
        stock_receive(user=shop["engineer"], branch=branch, name="PSU", quantity=1)
    assert StockItem.objects.count() == 4


def test_a_finished_ticket_takes_no_parts(shop):
    ticket = hardware_fault(shop, AT)
    ticket_transition(ticket_id=ticket.pk, name="cancel", user=shop["agent"], note="Duplicate")
    with pytest.raises(TransitionConflict):
        part_take(ticket=ticket, user=shop["agent"], stock_item=shop["psu"])
    assert _stock(shop["psu"]) == 3
