"""The hotline agent's pages as a person uses them: the call form keeps who called and where,
destructive steps ask for a reason that lands in the history, dispatch shows who is sent,
and the queue's rows can be fetched alone under the same filters and visibility."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, SiteFactory
from tickets.models import State, Ticket, TicketEvent
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

pytestmark = pytest.mark.django_db


def _ticket(world, summary="Pumps offline"):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary=summary,
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=10),
    )


def _agent(client, world):
    client.force_login(world["agent"])
    return client


# The call form


def test_log_a_call_for_this_customer_keeps_the_caller_found_by_phone(client, world):
    ContactFactory(customer=world["customer"], name="王强", phone="021 5555 0101")
    page = _agent(client, world).get("/desk/call/", {"q": "139 0000 0041"})
    html = page.content.decode()
    customer, contact = world["customer"].pk, world["contact"].pk
    link = f"?customer={customer}&amp;q=139%200000%200041&amp;contact={contact}"
    assert link in html
    # Following the card's link: the form still names the caller it matched.
    page = client.get(
        "/desk/call/",
        {"customer": world["customer"].pk, "q": "139 0000 0041", "contact": world["contact"].pk},
    )
    assert page.context["form"]["contact"].value() == world["contact"].pk
    # And without the search text: the caller chosen on the card is kept as well.
    page = client.get(
        "/desk/call/", {"customer": world["customer"].pk, "contact": world["contact"].pk}
    )
    assert page.context["form"]["contact"].value() == world["contact"].pk


def test_a_serial_number_brings_its_site_and_item_into_the_form(client, world):
    SiteFactory(customer=world["customer"], name="Second plant")
    page = _agent(client, world).get("/desk/call/", {"q": "DJ-HW-0107"})
    form = page.context["form"]
    assert form["covered_item"].value() == world["hardware"].pk
    assert form["site"].value() == world["site"].pk
    assert f"covered_item={world['hardware'].pk}" in page.content.decode()


def test_a_contact_of_another_customer_is_not_preselected(client, world):
    stranger = ContactFactory(name="Stranger")
    page = _agent(client, world).get(
        "/desk/call/", {"customer": world["customer"].pk, "contact": stranger.pk}
    )
    assert page.context["form"]["contact"].value() != stranger.pk


def test_changing_the_customer_refills_callers_and_sites_and_keeps_the_typing(client, world):
    page = _agent(client, world).post(
        "/desk/call/",
        {
            "customer": world["customer"].pk,
            "summary": "Big screen black",
            "description": "since ten minutes",
            "priority": "P1",
            "refresh": "1",
        },
    )
    assert page.status_code == 200
    assert not Ticket.objects.exists()
    form = page.context["form"]
    assert list(form.fields["contact"].queryset) == [world["contact"]]
    assert list(form.fields["site"].queryset) == [world["site"]]
    assert form["site"].value() == world["site"].pk  # the only site, chosen
    assert form["summary"].value() == "Big screen black"
    assert form["description"].value() == "since ten minutes"
    assert not form.errors
    html = page.content.decode()
    assert world["contact"].name in html and world["site"].name in html


def test_the_options_of_a_customer_for_the_script(client, world):
    data = (
        _agent(client, world).get("/desk/call/options/", {"customer": world["customer"].pk}).json()
    )
    assert [world["contact"].pk] == [int(v) for v, _ in data["contact"]["options"] if v]
    assert data["site"]["initial"] == str(world["site"].pk)
    assert client.get("/desk/call/options/", {"customer": "x"}).status_code == 404
    client.force_login(world["engineer"])
    assert client.get("/desk/call/options/", {"customer": world["customer"].pk}).status_code == 403


# Destructive steps on the ticket page


def test_cancel_without_a_reason_is_refused_and_changes_nothing(client, world):
    ticket = _ticket(world)
    response = _agent(client, world).post(
        f"/desk/tickets/{ticket.number}/do/cancel/", {"note": "   "}, follow=True
    )
    ticket.refresh_from_db()
    assert ticket.state == State.NEW
    assert [str(m) for m in response.context["messages"]] == ["请说明取消此工单的原因。"]


def test_the_reason_for_cancelling_goes_into_the_history(client, world):
    ticket = _ticket(world)
    _agent(client, world).post(
        f"/desk/tickets/{ticket.number}/do/cancel/", {"note": "Customer fixed it themselves"}
    )
    ticket.refresh_from_db()
    assert ticket.state == State.CANCELLED
    event = TicketEvent.objects.get(ticket=ticket, to_state=State.CANCELLED)
    assert event.note == "Customer fixed it themselves"
    html = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    history = html[html.index('data-testid="history"') :]
    assert "Customer fixed it themselves" in history


def test_primary_actions_come_first_and_destructive_ones_apart_with_a_reason(client, world):
    ticket = _ticket(world)
    html = _agent(client, world).get(f"/desk/tickets/{ticket.number}/").content.decode()
    acknowledge = html.index('data-action="acknowledge"')
    more = html.index('data-testid="more-actions"')
    assert acknowledge < html.index('data-testid="clocks"') < more
    assert html.index('data-action="cancel"') > more
    folded = html[more:]
    assert '<textarea id="reason-cancel" name="note" rows="2" required' in folded
    assert "<details" in html[more - 80 : more] and " open" not in html[more - 80 : more]


# Dispatch


def test_after_dispatch_the_engineer_list_shows_the_current_engineer(client, world):
    ticket = _ticket(world)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    _agent(client, world).post(
        f"/desk/tickets/{ticket.number}/dispatch/", {"engineer": world["engineer_north"].pk}
    )
    html = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    select = html[html.index('<select id="engineer"') : html.index("</select>")]
    selected = [line for line in select.split("<option") if "selected" in line]
    assert len(selected) == 1 and f'value="{world["engineer_north"].pk}"' in selected[0]
    # The first suggestion is someone else: the list does not fall back to it.
    assert f'value="{world["engineer"].pk}"' in select.split("<option")[1]


# The queue's rows, refreshed


def test_the_queue_rows_endpoint_follows_filters_and_visibility(client, world):
    mine = _ticket(world, summary="East pumps")
    ticket_acknowledge(ticket_id=mine.pk, user=world["agent"])
    ticket_dispatch(ticket_id=mine.pk, user=world["agent"], engineer=world["engineer"])
    other = _ticket(world, summary="Second call")
    response = _agent(client, world).get("/desk/rows/")
    html = response.content.decode()
    assert response.status_code == 200 and response["X-Queue-Count"] == "2"
    assert mine.number in html and other.number in html
    assert "<html" not in html  # the rows alone
    filtered = client.get("/desk/rows/", {"state": "dispatched"})
    assert mine.number in filtered.content.decode()
    assert other.number not in filtered.content.decode()
    # An engineer of another branch sees none of East's tickets, here as on the page.
    client.force_login(world["engineer_north"])
    response = client.get("/desk/rows/")
    assert response["X-Queue-Count"] == "0"
    assert mine.number not in response.content.decode()
    client.force_login(world["customer_user"])
    assert client.get("/desk/rows/").status_code == 403


def test_a_new_ticket_appears_in_the_rows_without_reloading_the_page(client, world):
    page = _agent(client, world).get("/desk/")
    assert 'data-poll-url="/desk/rows/"' in page.content.decode()
    ticket = _ticket(world, summary="Arrived meanwhile")
    assert ticket.number in client.get("/desk/rows/").content.decode()
