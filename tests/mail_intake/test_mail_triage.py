"""What waits for an agent: the Mail page and `/api/mail/`, for the desk only; a mail
handled once, whoever clicks second."""

import pytest

from mail_intake.models import InboundMail
from mail_intake.services import mailbox_poll
from tests.mail_intake.conftest import mail
from tickets.models import Ticket
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def waiting(world, inbox, mailbox):
    inbox.deliver(
        mail(
            sender="王工 <wang@djsw.example>",
            subject="水厂二号泵站监控中断",
            files=[("现场.jpg", "image/jpeg", b"\xff\xd8jpeg")],
        )
    )
    mailbox_poll(mailbox)
    return InboundMail.objects.get(outcome="triage")


def test_the_desk_sees_what_waits_in_the_menu_and_the_list(world, waiting, client):
    client.force_login(world["agent"])
    page = client.get("/mail/").content.decode()
    assert 'data-testid="mail-waiting">1<' in page
    assert "水厂二号泵站监控中断" in page and "wang@djsw.example" in page
    detail = client.get(f"/mail/{waiting.pk}/").content.decode()
    assert "现场.jpg" in detail and "监控中断" in detail


@pytest.mark.parametrize("who", ["engineer", "customer_user"])
def test_others_never_see_the_mail(world, waiting, client, api, who):
    client.force_login(world[who])
    assert client.get("/mail/").status_code == 403
    assert client.get(f"/mail/{waiting.pk}/").status_code == 403
    assert client.get(f"/mail/{waiting.pk}/original/").status_code == 403
    listing = api(world[who]).get("/api/mail/")
    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert api(world[who]).post(f"/api/mail/{waiting.pk}/dismiss/").status_code == 404


def test_an_agent_logs_a_ticket_from_the_page_with_the_files(world, waiting, client):
    world["contact"].email = "wang@djsw.example"  # the suggestion comes from the domain
    world["contact"].save()
    client.force_login(world["agent"])
    page = client.get(f"/mail/{waiting.pk}/").content.decode()
    assert "东江水务集团有限公司" in page and "write from this domain" in page
    answer = client.post(
        f"/mail/{waiting.pk}/",
        {
            "action": "ticket",
            "customer": world["customer"].pk,
            "kind": "fault",
            "priority": "P2",
            "summary": "二号泵站监控中断",
        },
    )
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer.url == f"/desk/tickets/{ticket.number}/"
    assert (ticket.summary, ticket.priority, ticket.channel) == ("二号泵站监控中断", "P2", "email")
    assert ticket.reported_at == waiting.received_at
    assert ticket.attachments.filter(name="现场.jpg").exists()
    waiting.refresh_from_db()
    assert (waiting.outcome, waiting.ticket, waiting.handled_by) == (
        "ticket",
        ticket,
        world["agent"],
    )
    # The same click again: already handled, nothing more.
    again = client.post(
        f"/mail/{waiting.pk}/", {"action": "ticket", "customer": world["customer"].pk}
    )
    assert again.status_code == 200 and Ticket.objects.count() == 1


def test_bad_input_is_said_on_the_form_and_kept(world, waiting, client):
    client.force_login(world["agent"])
    answer = client.post(
        f"/mail/{waiting.pk}/",
        {"action": "ticket", "customer": "99999999999999999999", "summary": "我写的摘要\x00"},
    )
    assert answer.status_code == 400
    assert "我写的摘要" in answer.content.decode() or "Null characters" in answer.content.decode()
    reply = client.post(f"/mail/{waiting.pk}/", {"action": "reply", "ticket": "2026-123456"})
    assert reply.status_code == 400 and "No such ticket." in reply.content.decode()
    assert not Ticket.objects.exists()
    assert InboundMail.objects.get(pk=waiting.pk).outcome == "triage"


def test_the_api_adds_a_mail_to_a_ticket_and_dismisses_another(world, waiting, api, inbox, mailbox):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    agent = api(world["agent"])
    listing = agent.get("/api/mail/?outcome=triage").json()
    assert [m["id"] for m in listing["results"]] == [waiting.pk]
    assert agent.post(f"/api/mail/{waiting.pk}/reply/", {"ticket": "nope"}).status_code == 400
    answer = agent.post(f"/api/mail/{waiting.pk}/reply/", {"ticket": ticket.number})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["outcome"] == "comment" and answer.json()["ticket"] == ticket.number
    comment = ticket.comments.get()
    assert (comment.author, comment.from_address) == (None, "wang@djsw.example")
    assert agent.post(f"/api/mail/{waiting.pk}/dismiss/").status_code == 409
    # A leader reads the mail but does not handle it.
    inbox.deliver(mail(sender="spam@unknown.example", subject="发票"))
    mailbox_poll(mailbox)
    spam = InboundMail.objects.get(outcome="triage")
    assert api(world["leader"]).post(f"/api/mail/{spam.pk}/dismiss/").status_code == 403
    assert agent.post(f"/api/mail/{spam.pk}/dismiss/").json()["outcome"] == "dismissed"


def test_the_api_logs_a_ticket_for_a_contact(world, waiting, api):
    answer = api(world["manager"]).post(
        f"/api/mail/{waiting.pk}/ticket/",
        {"contact": world["contact"].pk, "priority": "P1"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    ticket = Ticket.objects.get(number=answer.json()["number"])
    assert (ticket.customer, ticket.contact, ticket.priority) == (
        world["customer"],
        world["contact"],
        "P1",
    )
    assert ticket.summary == "水厂二号泵站监控中断"
    wrong = api(world["manager"]).post(
        f"/api/mail/{waiting.pk}/ticket/", {"customer": 10**20}, format="json"
    )
    assert wrong.status_code in (400, 409)


def test_the_original_mail_downloads_as_a_file(world, waiting, client):
    client.force_login(world["manager"])
    answer = client.get(f"/mail/{waiting.pk}/original/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "message/rfc822"
    assert "attachment" in answer["Content-Disposition"]
    assert b"wang@djsw.example" in b"".join(answer.streaming_content)
