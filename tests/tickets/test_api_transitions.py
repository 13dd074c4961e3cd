"""The API's workflow actions: generated from the one transition table, calling the
same services as the pages, so both record the same thing."""

from datetime import timedelta

import pytest
import time_machine
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.images import tiny_png
from tests.tickets.conftest import shanghai
from tickets.api.transitions import API_ACTIONS
from tickets.models import CheckIn, SlaClock, Ticket, TicketEvent
from tickets.services.creation import ticket_create
from tickets.services.transitions import (
    TRANSITION_EFFECTS,
    ticket_acknowledge,
    ticket_dispatch,
    ticket_transition,
)

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 11, 25, 10, 0)

# The URLs and route names clients and templates already use.
ROUTES = {
    "acknowledge": "ticket-acknowledge",
    "dispatch": "ticket-dispatch",
    "depart": "ticket-depart",
    "check_in": "ticket-check-in",
    "resolve": "ticket-resolve",
    "confirm": "ticket-confirm",
    "close": "ticket-close",
    "wait_customer": "ticket-wait-customer",
    "resume": "ticket-resume",
    "reopen": "ticket-reopen",
    "cancel": "ticket-cancel",
    "approve": "ticket-approve",
    "reject": "ticket-reject",
    "start_work": "ticket-start-work",
    "complete": "ticket-complete",
    "accept": "ticket-accept",
    "change_priority": "ticket-change-priority",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _on_the_way(world, summary="Pumps offline") -> Ticket:
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary=summary,
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=10),
    )
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
    ticket_transition(ticket_id=ticket.pk, name="depart", user=world["engineer"])
    return ticket


@pytest.fixture
def photo_bytes(tmp_path) -> bytes:
    path = tmp_path / "site.png"
    tiny_png(path)
    return path.read_bytes()


def _photo(data: bytes, name="site.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _read(stored) -> bytes | None:
    if not stored:
        return None
    with stored.open("rb") as handle:
        return handle.read()


def _recorded(ticket: Ticket) -> dict:
    """What a check-in leaves behind, as someone auditing the ticket would read it."""
    ticket.refresh_from_db()
    check_in = CheckIn.objects.get(ticket=ticket)
    event = TicketEvent.objects.get(ticket=ticket, data__action="check_in")
    return {
        "state": ticket.state,
        "on_site_at": ticket.on_site_at,
        "onsite_clock": ticket.clocks.get(kind=SlaClock.Kind.ONSITE).status,
        "engineer": check_in.engineer_id,
        "at": check_in.at,
        "latitude": check_in.latitude,
        "longitude": check_in.longitude,
        "accuracy_m": check_in.accuracy_m,
        "photo": _read(check_in.photo),
        "event": (event.actor_id, event.from_state, event.to_state, event.data),
    }


@pytest.mark.parametrize("with_photo", [True, False], ids=["photo", "no-photo"])
def test_api_check_in_records_what_the_page_records(client, world, api, photo_bytes, with_photo):
    by_page, by_api = _on_the_way(world, "page"), _on_the_way(world, "api")
    data = {"latitude": "22.543100", "longitude": "114.057900", "accuracy": "12"}

    client.force_login(world["engineer"])
    page_data = {**data, **({"photo": _photo(photo_bytes)} if with_photo else {})}
    assert client.post(f"/desk/tickets/{by_page.number}/check-in/", page_data).status_code == 302
    api_data = {**data, **({"photo": _photo(photo_bytes)} if with_photo else {})}
    response = api(world["engineer"]).post(
        f"/api/tickets/{by_api.pk}/check_in/", api_data, format="multipart"
    )
    assert response.status_code == 200, response.json()

    assert _recorded(by_api) == _recorded(by_page)
    assert _recorded(by_api)["state"] == "on_site"
    assert _recorded(by_api)["onsite_clock"] == "met"
    check_ins = response.json()["check_ins"]
    assert len(check_ins) == 1
    assert check_ins[0]["latitude"] == "22.543100"
    assert check_ins[0]["longitude"] == "114.057900"
    assert check_ins[0]["accuracy"] == 12
    assert check_ins[0]["at"] == NOW.astimezone(timezone.get_current_timezone()).isoformat()
    if with_photo:
        # Served through the guarded download view, never a public media URL.
        url = check_ins[0]["photo"]
        assert url == reverse("download", args=["check-in", CheckIn.objects.get(ticket=by_api).pk])
        assert client.get(url).content == photo_bytes
        # Check-in photos are staff evidence: the customer sees the time and place only.
        seen = api(world["customer_user"]).get(f"/api/tickets/{by_api.pk}/").json()
        assert [(c["latitude"], c["photo"]) for c in seen["check_ins"]] == [("22.543100", None)]
    else:
        assert check_ins[0]["photo"] is None


def test_api_check_in_takes_json_coordinates_too(world, api):
    ticket = _on_the_way(world)
    response = api(world["manager"]).post(
        f"/api/tickets/{ticket.pk}/check_in/",
        {"latitude": 22.5431, "longitude": 114.0579, "accuracy": 8.6, "note": "On the roof"},
        format="json",
    )
    assert response.status_code == 200
    check_in = CheckIn.objects.get(ticket=ticket)
    assert (str(check_in.latitude), str(check_in.longitude), check_in.accuracy_m) == (
        "22.543100",
        "114.057900",
        9,
    )
    assert TicketEvent.objects.get(ticket=ticket, data__action="check_in").note == "On the roof"
    detail = api(world["agent"]).get(f"/api/tickets/{ticket.pk}/").json()
    assert [c["latitude"] for c in detail["check_ins"]] == ["22.543100"]


BAD = [
    ({"latitude": "91", "longitude": "114"}, {"latitude"}),
    ({"latitude": "22.5", "longitude": "-180.5"}, {"longitude"}),
    ({"latitude": "north", "longitude": "east"}, {"latitude"}),
    ({"latitude": "NaN", "longitude": "114"}, {"latitude"}),
    ({"latitude": "22.5", "longitude": "Infinity"}, {"longitude"}),
    ({"latitude": "22.5", "longitude": "114", "accuracy": "far"}, {"accuracy"}),
    ({"latitude": "22.5", "longitude": "114", "accuracy": "1e400"}, {"accuracy"}),
]


@pytest.mark.parametrize(("data", "fields"), BAD)
def test_bad_coordinates_are_400_with_field_messages_and_change_nothing(
    client, world, api, data, fields
):
    ticket = _on_the_way(world)
    response = api(world["engineer"]).post(
        f"/api/tickets/{ticket.pk}/check_in/", data, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()) == fields
    api_message = response.json()
    ticket.refresh_from_db()
    assert ticket.state == "en_route" and ticket.on_site_at is None
    assert not CheckIn.objects.filter(ticket=ticket).exists()
    # The page refuses the same input with the same message.
    client.force_login(world["engineer"])
    page = client.post(f"/desk/tickets/{ticket.number}/check-in/", data)
    assert page.status_code == 400
    shown = page.context["check_in_form"].non_field_errors()
    assert any(api_message[f][0] in m for f in fields for m in shown), (shown, api_message)
    assert not CheckIn.objects.filter(ticket=ticket).exists()


def test_a_photo_that_is_not_a_photo_is_refused_like_on_the_page(world, api, settings):
    ticket = _on_the_way(world)
    engineer = api(world["engineer"])
    url = f"/api/tickets/{ticket.pk}/check_in/"
    fake = SimpleUploadedFile("site.png", b"<script>alert(1)</script>", content_type="image/png")
    response = engineer.post(url, {"latitude": "22.5", "photo": fake}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"photo"}
    assert engineer.post(url, {"photo": "not a file"}, format="json").status_code == 400
    ticket.refresh_from_db()
    assert ticket.state == "en_route"
    assert not CheckIn.objects.exists()


def test_api_check_in_keeps_403_and_409(world, api, photo_bytes):
    ticket = _on_the_way(world)
    url = f"/api/tickets/{ticket.pk}/check_in/"
    data = {"latitude": "22.5", "longitude": "114", "photo": _photo(photo_bytes)}
    assert api(world["agent"]).post(url, data, format="multipart").status_code == 403
    assert api(world["engineer_north"]).post(url, {}, format="multipart").status_code == 404
    engineer = api(world["engineer"])
    assert engineer.post(url, {"latitude": "22.5"}, format="multipart").status_code == 200
    again = engineer.post(url, {"latitude": "22.5"}, format="multipart")
    assert again.status_code == 409 and "detail" in again.json()
    assert CheckIn.objects.filter(ticket=ticket).count() == 1


def test_every_transition_of_the_table_is_an_api_action_at_its_old_url(world, api):
    assert {a.name for a in API_ACTIONS} == {*TRANSITION_EFFECTS, "change_priority"}
    assert {a.name: f"ticket-{a.url_name}" for a in API_ACTIONS} == ROUTES
    ticket = _on_the_way(world)
    agent = api(world["agent"])
    for name, route in ROUTES.items():
        url = reverse(route, args=[ticket.pk])
        assert url == f"/api/tickets/{ticket.pk}/{name}/"
        # Reached and judged by the service: done, refused, impossible now or bad data.
        response = agent.post(url, {}, format="json")
        assert response.status_code in (200, 400, 403, 409), (name, response.status_code)
        assert agent.get(url).status_code == 405, name


def test_schema_generates_without_warnings_and_documents_each_action(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    components = schema["components"]["schemas"]
    for spec in API_ACTIONS:
        operation = schema["paths"][f"/api/tickets/{{id}}/{spec.name}/"]["post"]
        body = operation["requestBody"]["content"]
        component = spec.serializer.__name__.removesuffix("Serializer")
        for media in ["application/json", "multipart/form-data"]:
            assert body[media]["schema"]["$ref"] == f"#/components/schemas/{component}"
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"] == "#/components/schemas/TicketDetail"
    # The steps that end a ticket or turn work down say they need the reason.
    for name in ["cancel", "close", "reject"]:
        operation = schema["paths"][f"/api/tickets/{{id}}/{name}/"]["post"]
        assert operation["requestBody"]["required"] is True, name
    assert components["Reason"]["required"] == ["note"]
    assert "note" not in components["Note"].get("required", [])
    check_in = components["CheckInInput"]["properties"]
    assert {"latitude", "longitude", "accuracy", "photo", "note"} == set(check_in)
    assert check_in["photo"]["format"] == "binary"
    assert components["TicketDetail"]["properties"]["check_ins"]["items"] == {
        "$ref": "#/components/schemas/CheckIn"
    }
    assert set(components["CheckIn"]["properties"]) == {
        "at",
        "latitude",
        "longitude",
        "accuracy",
        "photo",
    }
