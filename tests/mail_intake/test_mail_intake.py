"""Mail read from a real IMAP server: what becomes a ticket, a reply, a triage entry or
nothing, each mail once, with the failure of a mailbox shown to people."""

import threading
from datetime import timedelta

import pytest
from django.core import mail as outbox_mail
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.translatable import Message
from mail_intake.models import InboundMail, Mailbox
from mail_intake.services import LOOP_LIMIT, mailbox_poll, mailboxes_poll
from tests.mail_intake.conftest import IMAP_PASSWORD, Inbox, mail
from tickets.mail import notifications_deliver
from tickets.models import Attachment, State, Ticket
from tickets.notify import notify
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _poll(mailbox):
    result = mailbox_poll(Mailbox.objects.get(pk=mailbox.pk))
    assert result.error == ""
    return result


def test_a_known_contacts_mail_becomes_a_ticket_with_its_files_reported_when_received(
    world, inbox, mailbox
):
    received = timezone.now() - timedelta(minutes=20)
    Mailbox.objects.filter(pk=mailbox.pk).update(created_at=received - timedelta(days=1))
    inbox.deliver(
        mail(
            files=[("故障照片.jpg", "image/jpeg", b"\xff\xd8jpeg"), ("log.txt", "text/plain", b"x")]
        ),
        at=received,
    )
    assert _poll(mailbox).taken == 1
    ticket = Ticket.objects.get()
    assert ticket.channel == "email"
    assert ticket.customer == world["customer"]
    assert ticket.contact == world["contact"]
    assert ticket.summary == "调度中心服务器无法启动"
    assert "九点" in ticket.description
    # The clocks run from when the mail reached our server, not when someone read it.
    assert abs((ticket.reported_at - received).total_seconds()) < 1
    assert ticket.covered and ticket.clocks.exists()
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("name", flat=True)) == [
        "log.txt",
        "故障照片.jpg",
    ]
    kept = InboundMail.objects.get()
    assert (kept.outcome, kept.ticket) == ("ticket", ticket)
    assert inbox.seen() == 1
    # Read again: nothing new, nothing twice.
    assert _poll(mailbox).taken == 0
    assert Ticket.objects.count() == 1


def test_a_reply_naming_the_ticket_is_a_reply_on_it_and_resumes_a_waiting_ticket(
    world, inbox, mailbox
):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
        contact=world["contact"],
    )
    Ticket.objects.filter(pk=ticket.pk).update(state=State.WAITING_CUSTOMER)
    inbox.deliver(
        mail(
            subject=f"回复：[#{ticket.number}] 请确认",
            body="已经恢复，谢谢。\n\n-----原始邮件-----\n发件人: 服务台\n请确认",
            files=[("截图.png", "image/png", b"\x89PNG....")],
        )
    )
    _poll(mailbox)
    comment = ticket.comments.get()
    assert comment.body == "已经恢复，谢谢。"
    assert comment.author == world["customer_user"]
    assert comment.internal is False
    ticket.refresh_from_db()
    assert ticket.state != State.WAITING_CUSTOMER
    assert ticket.attachments.filter(name="截图.png").exists()
    assert InboundMail.objects.get().outcome == "comment"
    assert Ticket.objects.count() == 1


def test_a_contact_without_a_login_replies_by_mail(world, inbox, mailbox):
    world["contact"].email = "sun.li@djsw.example"
    world["contact"].user = None
    world["contact"].save()
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    inbox.deliver(mail(sender="Sun.Li@DJSW.example", subject=f"Re: [#{ticket.number}] x"))
    _poll(mailbox)
    comment = ticket.comments.get()
    assert (comment.author, comment.from_address) == (None, "sun.li@djsw.example")


def test_another_customers_contact_cannot_write_on_a_ticket_by_naming_it(world, inbox, mailbox):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    inbox.deliver(mail(sender="customer2@example.com", subject=f"Re: [#{ticket.number}] x"))
    _poll(mailbox)
    assert not ticket.comments.exists()
    kept = InboundMail.objects.get()
    assert kept.outcome == "triage"
    assert ticket.number in kept.reason


def test_staff_replying_to_their_notification_writes_an_internal_note(world, inbox, mailbox):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    notify([world["manager"]], Message(gettext_lazy("Ticket escalated")), ticket=ticket)
    notifications_deliver()
    ours = outbox_mail.outbox[-1].extra_headers["Message-ID"]
    answer = mail(sender="manager@example.com", subject=f"Re: [#{ticket.number}] 升级")
    answer["In-Reply-To"] = ours
    inbox.deliver(answer)
    _poll(mailbox)
    comment = ticket.comments.get()
    assert (comment.author, comment.internal) == (world["manager"], True)


def test_a_forged_staff_address_cannot_write_on_a_ticket(world, inbox, mailbox):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    forged = mail(sender="manager@example.com", subject=f"Re: [#{ticket.number}] x")
    # A made-up reference to one of our mails, without the right token.
    forged["In-Reply-To"] = f"<ticket.{ticket.number}.n1.0123456789abcdef0123@localhost>"
    inbox.deliver(forged)
    _poll(mailbox)
    assert not ticket.comments.exists()
    assert InboundMail.objects.get().outcome == "triage"


def test_a_reply_to_a_closed_ticket_waits_for_an_agent(world, inbox, mailbox):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    Ticket.objects.filter(pk=ticket.pk).update(state=State.CLOSED)
    inbox.deliver(mail(subject=f"Re: [#{ticket.number}] 又坏了"))
    _poll(mailbox)
    assert not ticket.comments.exists()
    kept = InboundMail.objects.get()
    assert (kept.outcome, kept.ticket) == ("triage", ticket)


def test_mail_from_before_the_mailbox_was_added_is_left_alone(world, inbox, mailbox):
    inbox.deliver(mail(subject="旧邮件"), at=mailbox.created_at - timedelta(days=30))
    inbox.deliver(mail(subject="新邮件"))
    _poll(mailbox)
    assert list(Ticket.objects.values_list("summary", flat=True)) == ["新邮件"]
    assert Mailbox.objects.get(pk=mailbox.pk).last_uid == 2
    assert inbox.seen() == 1


def test_hostile_file_names_never_stop_the_mailbox(world, inbox, mailbox):
    inbox.deliver(
        mail(
            files=[
                ("..", "application/pdf", b"x"),
                ("!!!", "image/png", b"y"),
                ("a\\..\\x.txt", "text/plain", b"z"),
            ]
        )
    )
    inbox.deliver(mail(subject="第二封"))
    assert _poll(mailbox).taken == 2
    assert Ticket.objects.count() == 2
    first = Ticket.objects.get(summary="调度中心服务器无法启动")
    names = sorted(first.attachments.values_list("name", flat=True))
    assert len(names) == 3 and all(name.strip("._-") for name in names)


def test_unknown_senders_and_unknown_tickets_wait_for_an_agent(world, inbox, mailbox):
    inbox.deliver(mail(sender="stranger@unknown.example"))
    inbox.deliver(mail(subject="Re: [#2026-999999] x"))
    _poll(mailbox)
    waiting = InboundMail.objects.filter(outcome="triage").order_by("uid")
    # Kept untranslated: each reader gets the reason in their language.
    with translation.override("en"):
        assert [m.display_reason for m in waiting] == [
            "The sender is not a contact of any customer.",
            "The subject names ticket 2026-999999, which does not exist.",
        ]
    with translation.override("zh-hans"):
        assert waiting[0].display_reason == "发件人不是任何客户的联系人。"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "message, outcome",
    [
        (
            mail(headers={"Auto-Submitted": "auto-replied"}, subject="自动回复：我正在休假"),
            "automatic",
        ),
        (mail(headers={"X-Autoreply": "yes"}), "automatic"),
        (mail(sender="MAILER-DAEMON@mx.example.com", subject="Undelivered"), "bounce"),
        (mail(sender="hotline@desk.example"), "loop"),
        (mail(headers={"X-Servicedesk-Ticket": "2026-000001"}), "loop"),
    ],
)
def test_machines_never_open_tickets(world, inbox, mailbox, message, outcome):
    inbox.deliver(message)
    _poll(mailbox)
    assert InboundMail.objects.get().outcome == outcome
    assert not Ticket.objects.exists()


def test_a_sender_writing_in_a_loop_is_stopped(world, inbox, mailbox):
    for _ in range(LOOP_LIMIT + 2):
        inbox.deliver(mail(sender="stranger@unknown.example", subject="Re: Re: Re: x"))
    _poll(mailbox)
    outcomes = list(InboundMail.objects.order_by("uid").values_list("outcome", flat=True))
    assert outcomes[:LOOP_LIMIT] == ["triage"] * LOOP_LIMIT
    assert outcomes[LOOP_LIMIT:] == ["loop", "loop"]


def test_our_own_notification_delivered_back_is_a_loop_not_a_ticket(
    world, inbox, mailbox, settings
):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    notify([world["customer_user"]], Message(gettext_lazy("Ticket escalated")), ticket=ticket)
    notifications_deliver()
    sent = outbox_mail.outbox[-1]
    assert sent.subject.startswith(f"[#{ticket.number}] ")
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.extra_headers["Message-ID"].startswith(f"<ticket.{ticket.number}.n")
    inbox.deliver(sent.message().as_bytes())
    _poll(mailbox)
    assert InboundMail.objects.get().outcome in ("loop", "automatic")
    assert not ticket.comments.exists()


def test_the_same_mail_in_two_mailboxes_acts_once(world, inbox, mailbox):
    second_inbox = Inbox(inbox.user + ".copy")
    second = Mailbox.objects.create(
        name="Branch",
        address="east@desk.example",
        host="127.0.0.1",
        port=mailbox.port,
        security="none",
        username=second_inbox.user,
        password=IMAP_PASSWORD,
    )
    message = mail()
    inbox.deliver(message)
    second_inbox.deliver(message)
    results = mailboxes_poll()
    assert sorted(r.taken for r in results) == [0, 1]
    assert Ticket.objects.count() == 1
    assert Mailbox.objects.get(pk=second.pk).last_uid == 1


def test_a_mailbox_that_cannot_be_read_says_so(world, inbox, mailbox, client):
    good_password = mailbox.password
    Mailbox.objects.filter(pk=mailbox.pk).update(password="wrong")
    result = mailbox_poll(Mailbox.objects.get(pk=mailbox.pk))
    assert "AUTHENTICATIONFAILED" in result.error or "Authentication failed" in result.error
    mailbox.refresh_from_db()
    assert mailbox.failing and "wrong" not in mailbox.last_error
    client.force_login(world["agent"])
    page = client.get("/mail/")
    assert "cannot be read" in page.content.decode()
    health = client.get("/healthz").json()
    assert health["mail"]["ok"] is False
    # Read again once it works: no longer failing.
    Mailbox.objects.filter(pk=mailbox.pk).update(password=good_password)
    _poll(mailbox)
    assert not Mailbox.objects.get(pk=mailbox.pk).failing
    assert client.get("/healthz").json()["mail"]["ok"] is True
    assert "cannot be read" not in client.get("/mail/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_pollers_at_once_take_each_mail_once(world, inbox, mailbox):
    for index in range(6):
        inbox.deliver(mail(subject=f"问题 {index}"))
    barrier = threading.Barrier(2)
    errors = []

    def poll():
        try:
            barrier.wait()
            mailbox_poll(Mailbox.objects.get(pk=mailbox.pk))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert InboundMail.objects.count() == 6
    assert sorted(Ticket.objects.values_list("summary", flat=True)) == [
        f"问题 {i}" for i in range(6)
    ]
