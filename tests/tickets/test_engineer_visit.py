"""The engineer's visit on the ticket page: one next step at a time, forms that keep what was
typed with errors beside their fields, evidence photos with the attachments, and posts that
save once however often they are sent."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from core.errors import TransitionConflict
from tests.images import tiny_png
from tickets.models import Attachment, Comment, Ticket, WorkLog
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch, ticket_transition
from tickets.work_services import ticket_accept, ticket_check_in

pytestmark = pytest.mark.django_db

RAW_NAMES = re.compile(r"\b(symptoms|analysis|cause|solution|prevention|photo|text|file):")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _dispatched(world, **extra) -> Ticket:
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="Pumps offline",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=10),
    )
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
    ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
    return Ticket.objects.get(pk=ticket.pk)


def _on_site(world) -> Ticket:
    ticket = _dispatched(world)
    ticket_transition(ticket_id=ticket.pk, name="depart", user=world["engineer"])
    ticket_check_in(ticket=ticket, user=world["engineer"], latitude="22.5", longitude="114.1")
    return Ticket.objects.get(pk=ticket.pk)


def _photo(tmp_path, name="site.png") -> SimpleUploadedFile:
    path = tmp_path / name
    tiny_png(path)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="image/png")


@pytest.fixture
def engineer_client(client, world):
    client.force_login(world["engineer"])
    return client


def _page(client, ticket, language="zh-hans") -> str:
    return client.get(
        f"/desk/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


# The fault report keeps what was typed -------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_fault_report_without_its_cause_keeps_every_field_and_names_the_field(
    engineer_client, world, language
):
    ticket = _on_site(world)
    typed = {
        "symptoms": "网关指示灯熄灭",
        "analysis": "电源输出为零",
        "cause": "",
        "solution": "更换电源适配器",
        "prevention": "备用适配器放在站内",
        "note": "夜班",
    }
    response = engineer_client.post(
        f"/desk/tickets/{ticket.number}/resolve/", typed, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    html = response.content.decode()
    for value in [v for v in typed.values() if v]:
        assert value in html
    with translation.override(language):
        label = str(translation.gettext("located cause"))
        required = str(translation.gettext("This field is required."))
    # The error sits in the cause's own field block, under its translated label.
    block = re.search(r'<div class="field has-error">(.*?)</div>', html, re.S).group(1)
    assert label in block and 'data-field-error="cause"' in block and required in block
    assert not RAW_NAMES.search(html)
    ticket.refresh_from_db()
    assert ticket.state == "on_site"


def test_required_fields_are_marked_before_submitting(engineer_client, world):
    ticket = _on_site(world)
    html = _page(engineer_client, ticket)
    for name in ("symptoms", "cause", "solution"):
        assert re.search(rf'<textarea[^>]*name="{name}"[^>]*required', html), name
        assert re.search(rf'for="id_{name}">[^<]*<span class="required-mark"', html), name
    assert not re.search(r'<textarea[^>]*name="analysis"[^>]*required', html)


def test_a_refusal_banner_never_shows_a_raw_field_name(engineer_client, world):
    ticket = _on_site(world)
    bad = SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")
    response = engineer_client.post(
        f"/desk/tickets/{ticket.number}/attach/", {"file": bad}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown and not any(RAW_NAMES.search(m) for m in shown)


# One next step at a time ---------------------------------------------------------------------


def _step_buttons(html: str) -> set[str]:
    section = re.search(r'data-testid="engineer-actions"(.*?)</section>', html, re.S)
    if section is None:
        return set()
    return set(re.findall(r'data-action="([\w-]+)"', section.group(1)))


def test_the_engineer_sees_only_the_next_step(engineer_client, world):
    ticket = _dispatched(world)
    assert _step_buttons(_page(engineer_client, ticket)) == {"accept-job"}
    engineer_client.post(f"/desk/tickets/{ticket.number}/accept/")
    assert _step_buttons(_page(engineer_client, ticket)) == {"depart"}
    engineer_client.post(f"/desk/tickets/{ticket.number}/do/depart/")
    html = _page(engineer_client, ticket)
    assert _step_buttons(html) == {"check-in"}
    # Resolving without a visit stays possible, folded away from the next step.
    assert 'data-testid="resolve-remotely"' in html and 'data-testid="resolve"' not in html
    engineer_client.post(f"/desk/tickets/{ticket.number}/check-in/")
    html = _page(engineer_client, ticket)
    assert _step_buttons(html) == set()
    assert 'data-testid="work-log"' in html and 'data-testid="resolve"' in html


def test_check_in_without_setting_off_is_refused_by_the_service_page_and_api(
    engineer_client, world, api
):
    ticket = _dispatched(world)
    ticket_accept(ticket=ticket, user=world["engineer"])
    with pytest.raises(TransitionConflict):
        ticket_check_in(ticket=ticket, user=world["engineer"])
    answer = api(world["engineer"]).post(f"/api/tickets/{ticket.pk}/check_in/", {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["detail"]
    page = engineer_client.post(f"/desk/tickets/{ticket.number}/check-in/")
    assert page.status_code == 400
    assert answer.json()["detail"] in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "dispatched" and not ticket.check_ins.exists()


@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", "未共享位置"), ("en", "Location not shared")]
)
def test_check_in_without_location_says_so_on_the_page_and_in_the_history(
    engineer_client, world, language, words
):
    ticket = _dispatched(world)
    ticket_transition(ticket_id=ticket.pk, name="depart", user=world["engineer"])
    response = engineer_client.post(
        f"/desk/tickets/{ticket.number}/check-in/", follow=True, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.state == "on_site"
    shown = " ".join(str(m) for m in response.context["messages"])
    assert words in shown
    history = re.search(r'data-testid="timeline"(.*?)</ul>', response.content.decode(), re.S)
    assert words in history.group(1)


# Evidence photos are attachments -------------------------------------------------------------


def test_check_in_and_work_log_photos_are_listed_with_the_attachments(
    engineer_client, world, api, tmp_path
):
    ticket = _dispatched(world)
    ticket_transition(ticket_id=ticket.pk, name="depart", user=world["engineer"])
    engineer_client.post(
        f"/desk/tickets/{ticket.number}/check-in/",
        {"latitude": "22.5", "longitude": "114.1", "photo": _photo(tmp_path, "arrival.png")},
    )
    engineer_client.post(
        f"/desk/tickets/{ticket.number}/work-log/",
        {"text": "Replaced the adapter", "photo": _photo(tmp_path, "adapter.png")},
    )
    check_in, log = ticket.check_ins.get(), ticket.work_logs.get()
    files = set(Attachment.objects.filter(ticket=ticket).values_list("file", flat=True))
    assert files == {check_in.photo.name, log.photo.name}
    listed = api(world["engineer"]).get(f"/api/tickets/{ticket.pk}/attachments/").json()
    assert len(listed) == 2
    for item in listed:
        download = engineer_client.get(item["url"])
        assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
    html = _page(engineer_client, ticket)
    for attachment in Attachment.objects.filter(ticket=ticket):
        assert f"/files/attachment/{attachment.pk}/" in html


# Saved once ----------------------------------------------------------------------------------


def test_a_work_log_posted_twice_with_its_token_is_saved_once(engineer_client, world):
    ticket = _on_site(world)
    html = _page(engineer_client, ticket)
    form = re.search(r'action="/desk/tickets/[^"]+/work-log/"(.*?)</form>', html, re.S).group(1)
    token = re.search(r'name="form_token" value="(\w+)"', form).group(1)
    data = {"text": "Replaced the adapter", "form_token": token}
    first = engineer_client.post(f"/desk/tickets/{ticket.number}/work-log/", data)
    second = engineer_client.post(f"/desk/tickets/{ticket.number}/work-log/", data, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert WorkLog.objects.filter(ticket=ticket).count() == 1
    assert [str(m) for m in second.context["messages"]]  # told it was saved, not an error
    # A new form (a new token) is a new entry.
    html = _page(engineer_client, ticket)
    token2 = re.search(r'name="form_token" value="(\w+)"', html).group(1)
    engineer_client.post(
        f"/desk/tickets/{ticket.number}/work-log/", {"text": "Tested", "form_token": token2}
    )
    assert WorkLog.objects.filter(ticket=ticket).count() == 2


def test_on_my_way_tapped_twice_is_one_step_and_no_error(engineer_client, world):
    ticket = _dispatched(world)
    ticket_accept(ticket=ticket, user=world["engineer"])
    html = _page(engineer_client, ticket)
    depart = html[html.index('data-action="depart"') - 400 : html.index('data-action="depart"')]
    token = re.search(r'name="form_token" value="(\w+)"', depart).group(1)
    url = f"/desk/tickets/{ticket.number}/do/depart/"
    first = engineer_client.post(url, {"form_token": token}, follow=True)
    second = engineer_client.post(url, {"form_token": token}, follow=True)
    assert Ticket.objects.get(pk=ticket.pk).state == "en_route"
    assert ticket.events.filter(to_state="en_route").count() == 1
    for response in (first, second):
        assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_a_refused_remote_access_request_keeps_what_was_typed(engineer_client, world):
    ticket = _on_site(world)
    url = f"/desk/tickets/{ticket.number}/remote/"
    response = engineer_client.post(
        url, {"reason": "Restart the SCADA service", "minutes": "3"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Restart the SCADA service</textarea>" in html
    assert 'data-field-error="minutes"' in html
    assert not ticket.remote_requests.exists()
    assert engineer_client.post(url, {"reason": "Restart", "minutes": "30"}).status_code == 302
    assert ticket.remote_requests.count() == 1


def test_a_refused_post_does_not_use_up_its_token(engineer_client, world):
    ticket = _on_site(world)
    url = f"/desk/tickets/{ticket.number}/work-log/"
    assert engineer_client.post(url, {"text": "", "form_token": "t1"}).status_code == 400
    assert engineer_client.post(url, {"text": "Done", "form_token": "t1"}).status_code == 302
    assert WorkLog.objects.filter(ticket=ticket).count() == 1


def test_a_portal_request_posted_twice_creates_one_ticket(client, world):
    client.force_login(world["customer_user"])
    data = {
        "kind": "fault",
        "priority": "P2",
        "site": world["site"].pk,
        "summary": "History charts blank",
        "description": "Since this morning",
        "form_token": "portal-1",
    }
    first = client.post("/portal/new/", data)
    second = client.post("/portal/new/", data)
    assert first.status_code == 302 and second["Location"] == first["Location"]
    assert Ticket.objects.filter(summary="History charts blank").count() == 1


# The API's Idempotency-Key -------------------------------------------------------------------


def _create_body(world):
    return {
        "contract": world["contract"].pk,
        "site": world["site"].pk,
        "kind": "fault",
        "priority": "P2",
        "summary": "Screen dark",
        "channel": "api",
    }


def test_the_same_idempotency_key_creates_one_ticket_and_answers_the_same(world, api):
    agent = api(world["agent"])
    first = agent.post(
        "/api/tickets/", _create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = agent.post(
        "/api/tickets/", _create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.filter(summary="Screen dark").count() == 1
    other = agent.post(
        "/api/tickets/", _create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    # Without the header, every post creates.
    agent.post("/api/tickets/", _create_body(world), format="json")
    assert Ticket.objects.filter(summary="Screen dark").count() == 3


def test_an_idempotency_key_is_per_user_per_request_and_failures_are_not_kept(world, api):
    agent, manager = api(world["agent"]), api(world["manager"])
    agent.post("/api/tickets/", _create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="same")
    theirs = manager.post(
        "/api/tickets/", _create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Ticket.objects.count() == 2
    ticket_id = theirs.json()["id"]
    elsewhere = agent.post(
        f"/api/tickets/{ticket_id}/comments/",
        {"body": "hi"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["detail"]
    bad = agent.post("/api/tickets/", {"summary": ""}, format="json", HTTP_IDEMPOTENCY_KEY="retry")
    assert bad.status_code == 400
    good = agent.post(
        "/api/tickets/", _create_body(world), format="json", HTTP_IDEMPOTENCY_KEY="retry"
    )
    assert good.status_code == 201


def test_comments_and_attachments_honour_the_idempotency_key(world, api, tmp_path):
    ticket = _dispatched(world)
    agent = api(world["agent"])
    url = f"/api/tickets/{ticket.pk}"
    for _ in range(2):
        answer = agent.post(
            f"{url}/comments/", {"body": "Called back"}, format="json", HTTP_IDEMPOTENCY_KEY="c1"
        )
        assert answer.status_code == 201
    assert Comment.objects.filter(ticket=ticket).count() == 1
    for _ in range(2):
        answer = agent.post(
            f"{url}/attachments/",
            {"file": _photo(tmp_path)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="a1",
        )
        assert answer.status_code == 201
    assert Attachment.objects.filter(ticket=ticket).count() == 1


def test_the_schema_documents_the_idempotency_key(client, world):
    client.force_login(world["manager"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/tickets/", "/api/tickets/{id}/comments/", "/api/tickets/{id}/attachments/"):
        parameters = schema["paths"][path]["post"].get("parameters", [])
        assert {"name": "Idempotency-Key", "in": "header"} in [
            {"name": p["name"], "in": p["in"]} for p in parameters
        ], path


def test_my_tickets_come_a_page_at_a_time_nearest_deadline_first(
    engineer_client, world, monkeypatch
):
    monkeypatch.setattr("tickets.views.engineer.MY_TICKETS_PAGE", 2)
    # Dispatched 10 minutes after the call each, reported 30, 20 and 10 minutes ago: the
    # oldest has the nearest on-site deadline.
    tickets = []
    for minutes in (30, 20, 10):
        ticket = _dispatched(world)
        Ticket.objects.filter(pk=ticket.pk).update(
            reported_at=timezone.now() - timedelta(minutes=minutes)
        )
        tickets.append(ticket)
    ordered = list(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets])
        .order_by("next_deadline", "reported_at", "pk")
        .values_list("number", flat=True)
    )

    first = engineer_client.get("/m/").content.decode()
    second = engineer_client.get("/m/", {"page": 2}).content.decode()

    assert [n for n in ordered if n in first] == ordered[:2]
    assert ordered[2] not in first
    assert 'href="?page=2"' in first
    assert ordered[2] in second and ordered[0] not in second
    assert 'href="?page=1"' in second
