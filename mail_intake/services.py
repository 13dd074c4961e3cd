"""What a mail becomes, decided once per mail: a ticket, a reply on a ticket, a place in
the agents' triage list, or nothing (an automatic reply, a bounce, a loop).

`mailboxes_poll` is what beat runs every minute (mail_intake.tasks) and
`manage.py mail_poll` runs by hand. Each mail is kept as an InboundMail row written in
the same transaction as the ticket or reply it makes: a second reader of the same mailbox
waits on the row's unique key, then finds it taken and moves on, so a mail acts once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import has_any_role
from contracts.models import Contact, Contract, Customer
from contracts.models.contracts import Priority
from contracts.selectors import contacts_by_address
from core import uploads
from core.errors import TransitionConflict, TransitionForbidden
from core.translatable import Message
from mail_intake.imap import Fetched, MailboxError, mailbox_session
from mail_intake.models import InboundMail, Mailbox
from mail_intake.parsing import ParsedMail, mail_parse, reply_text
from tickets.mail import reply_reference_notification
from tickets.models import Kind, State, Ticket, TicketEvent
from tickets.models.records import event_note
from tickets.selectors import ticket_visible
from tickets.services.attachments import ticket_attach
from tickets.services.creation import ticket_create
from tickets.work_services import comment_from_mail

logger = logging.getLogger(__name__)

# A mail with its attachments in base64 (a third larger), with room for its text.
MAX_MAIL_BYTES = uploads.MAX_REQUEST_BYTES * 4 // 3 + 1024 * 1024
# More mails than this from one sender within an hour is a loop between two robots.
LOOP_LIMIT = 20
LOOP_WINDOW = timedelta(hours=1)
# Mail received this long before the mailbox was added is still read.
SETTING_UP = timedelta(minutes=5)
SUMMARY_LENGTH = Ticket._meta.get_field("summary").max_length


@dataclass
class PollResult:
    mailbox: Mailbox
    taken: int = 0
    error: str = ""


def mailboxes_poll(*, now: datetime | None = None) -> list[PollResult]:
    """Read every active mailbox once; a mailbox that fails does not stop the others."""
    results = []
    for mailbox in Mailbox.objects.filter(active=True):
        try:
            results.append(mailbox_poll(mailbox, now=now))
        except Exception as exc:  # a bug or the database: logged, shown, the others read
            logger.exception("mailbox %s: reading stopped", mailbox.pk)
            _failed(mailbox, f"{type(exc).__name__}: {exc}")
            results.append(PollResult(mailbox, error=str(exc)))
    return results


def mailbox_poll(mailbox: Mailbox, *, now: datetime | None = None) -> PollResult:
    """Read the mails that came since the last read; a failure is recorded on the mailbox
    (shown on the triage page and in /healthz), never silent."""
    result = PollResult(mailbox)
    try:
        with mailbox_session(mailbox) as session:
            validity = session.uidvalidity
            # A new UIDVALIDITY means the server numbered the folder anew: read it all again;
            # the Message-ID keeps mails already taken from acting twice.
            after = mailbox.last_uid if validity == mailbox.uidvalidity else 0
            # Mail that was there before the desk read the mailbox is not the desk's: a
            # mailbox added with years of history must not become years of late tickets.
            not_before = mailbox.created_at
            if mailbox.uidvalidity and validity != mailbox.uidvalidity:
                not_before = mailbox.last_polled_at or mailbox.created_at
            # The server keeps whole seconds, and a test mail may be sent as it is added.
            not_before -= SETTING_UP
            for uid in session.new_uids(after):
                fetched = session.fetch(uid, max_bytes=MAX_MAIL_BYTES, not_before=not_before)
                if fetched is not None and fetched.raw:
                    if mail_take(mailbox, validity, fetched, now=now):
                        result.taken += 1
                    session.mark_seen(uid)
                _advance(mailbox, validity, uid)
    except MailboxError as exc:
        result.error = str(exc)
        logger.warning("mailbox %s could not be read: %s", mailbox.pk, exc)
        _failed(mailbox, result.error)
        return result
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now())
    return result


def _failed(mailbox: Mailbox, error: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_error=error[:300], last_error_at=timezone.now()
    )


def _advance(mailbox: Mailbox, validity: int, uid: int) -> None:
    """Remember how far the mailbox was read; two readers only ever move it forward."""
    same = Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=validity)
    if not same.update(last_uid=Greatest("last_uid", uid)):
        Mailbox.objects.filter(pk=mailbox.pk).exclude(uidvalidity=validity).update(
            uidvalidity=validity, last_uid=uid
        )


def mail_take(
    mailbox: Mailbox, validity: int, fetched: Fetched, *, now: datetime | None = None
) -> InboundMail | None:
    """Keep one mail and act on it, in one transaction; None when another reader took it."""
    now = now or timezone.now()
    parsed = mail_parse(fetched.raw, whole=fetched.whole)
    received_at = min(fetched.received_at or now, now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                mail = InboundMail.objects.create(
                    mailbox=mailbox,
                    uidvalidity=validity,
                    uid=fetched.uid,
                    message_id=parsed.message_id,
                    from_address=parsed.from_address,
                    from_name=parsed.from_name,
                    subject=parsed.subject,
                    body=parsed.body,
                    received_at=received_at,
                    attachment_count=min(len(parsed.attachments), 32_000),
                    complete=fetched.whole,
                    outcome=InboundMail.Outcome.TRIAGE,
                )
        except IntegrityError:
            return None  # the same UID or Message-ID is already kept: another reader's
        _keep_raw(mail, fetched.raw)
        try:
            with transaction.atomic():
                _act(mail, parsed, whole=fetched.whole, now=now)
        except Exception:
            # Whatever the mail holds, it never stops the mailbox: it waits for a person,
            # and the mails after it are read.
            logger.exception("mail %s could not be processed", mail.pk)
            _set(mail, InboundMail.Outcome.TRIAGE, _says(_UNPROCESSABLE))
    return mail


_UNPROCESSABLE = gettext_lazy("The mail could not be processed; read the original.")


def _keep_raw(mail: InboundMail, raw: bytes) -> None:
    mail.raw.save(f"{mail.pk}.eml", ContentFile(raw), save=False)
    InboundMail.objects.filter(pk=mail.pk).update(raw=mail.raw.name)


def _our_addresses() -> set[str]:
    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1], parseaddr(settings.SERVER_EMAIL)[1]}
    ours.update(Mailbox.objects.values_list("address", flat=True))
    return {a.strip().lower() for a in ours if a}


def _set(
    mail: InboundMail, outcome: str, reason: "str | Message" = "", ticket: Ticket | None = None
) -> None:
    """Record what the mail became and why: a Message (what the desk says) is shown in each
    reader's language; a str (a mail header) as it is."""
    note = event_note(reason)
    mail.outcome = outcome
    mail.reason = note["note"][:300]
    mail.reason_message = note["message"]
    mail.ticket = ticket
    mail.save(update_fields=["outcome", "reason", "reason_message", "ticket", "updated_at"])


def _says(text, **params) -> Message:
    return Message(text, params=params)


def _act(mail: InboundMail, parsed: ParsedMail, *, whole: bool, now: datetime) -> None:
    """The one rule of what a mail becomes."""
    Outcome = InboundMail.Outcome
    if parsed.bounce:
        return _set(mail, Outcome.BOUNCE, parsed.bounce)
    if parsed.from_address in _our_addresses() or parsed.ours:
        return _set(mail, Outcome.LOOP, _says(gettext_lazy("Sent by the service desk itself.")))
    if parsed.automatic:
        return _set(mail, Outcome.AUTOMATIC, parsed.automatic)
    recent = InboundMail.objects.filter(
        from_address=parsed.from_address, received_at__gte=mail.received_at - LOOP_WINDOW
    ).count()
    if parsed.from_address and recent > LOOP_LIMIT:
        return _set(
            mail,
            Outcome.LOOP,
            _says(gettext_lazy("%(count)d mails from this sender within an hour."), count=recent),
        )
    if not parsed.from_address:
        return _set(mail, Outcome.TRIAGE, _says(gettext_lazy("The mail does not say who sent it.")))
    if not whole:
        return _set(
            mail,
            Outcome.TRIAGE,
            _says(
                gettext_lazy("The mail is larger than %(limit)d MB: its files were not kept."),
                limit=MAX_MAIL_BYTES // (1024 * 1024),
            ),
        )
    if parsed.ticket_number:
        return _reply(mail, parsed)
    contacts = contacts_by_address(parsed.from_address)
    customers = {c.customer_id for c in contacts}
    if not contacts:
        return _set(
            mail,
            Outcome.TRIAGE,
            _says(gettext_lazy("The sender is not a contact of any customer.")),
        )
    if len(customers) > 1:
        return _set(
            mail,
            Outcome.TRIAGE,
            _says(gettext_lazy("The sender is a contact of several customers.")),
        )
    return _new_ticket(mail, parsed, contacts[0])


def _reply(mail: InboundMail, parsed: ParsedMail) -> None:
    Outcome = InboundMail.Outcome
    ticket = Ticket.objects.filter(number=parsed.ticket_number).first()
    if ticket is None:
        return _set(
            mail,
            Outcome.TRIAGE,
            _says(
                gettext_lazy("The subject names ticket %(number)s, which does not exist."),
                number=parsed.ticket_number,
            ),
        )
    if ticket.state in (State.CLOSED, State.CANCELLED):
        return _set(
            mail,
            Outcome.TRIAGE,
            _says(
                gettext_lazy("Ticket %(number)s is closed: reopen it or log a new one."),
                number=ticket.number,
            ),
            ticket,
        )
    contact = next(
        (
            c
            for c in contacts_by_address(parsed.from_address)
            if c.customer_id == ticket.customer_id
        ),
        None,
    )
    if contact is not None:
        author, by_customer = contact.user, True
    else:
        author = _staff_sender(parsed, ticket)
        by_customer = False
        if author is None:
            return _set(
                mail,
                Outcome.TRIAGE,
                _says(
                    gettext_lazy("The sender may not write on ticket %(number)s."),
                    number=ticket.number,
                ),
                ticket,
            )
    comment_from_mail(
        ticket=ticket,
        author=author,
        from_address=parsed.from_address,
        body=reply_text(parsed.body),
        by_customer=by_customer,
    )
    _attach(ticket, parsed, by=author)
    _set(mail, Outcome.COMMENT, ticket=ticket)


def _staff_sender(parsed: ParsedMail, ticket: Ticket) -> User | None:
    """The staff member who answered one of our mails about this ticket: a From line is
    easy to forge, so the reply must also name the mail it answers, with its token
    (tickets.mail.reply_reference), and that mail must have gone to this person."""
    for reference in parsed.references:
        notification_id = reply_reference_notification(reference, number=ticket.number)
        if notification_id is None:
            continue
        user = (
            User.objects.filter(
                notifications__pk=notification_id,
                email__iexact=parsed.from_address,
                is_active=True,
            )
            .distinct()
            .first()
        )
        if user and not has_any_role(user, Role.CUSTOMER) and ticket_visible(user, ticket):
            return user
    return None


def _new_ticket(mail: InboundMail, parsed: ParsedMail, contact: Contact) -> None:
    try:
        ticket = mail_ticket_create(mail, parsed, customer=contact.customer, contact=contact)
    except ValidationError as exc:  # e.g. several contracts cover it: an agent chooses
        why = " ".join(exc.messages)
        return _set(
            mail,
            InboundMail.Outcome.TRIAGE,
            _says(gettext_lazy("The ticket could not be logged: %(why)s"), why=why),
        )
    _set(mail, InboundMail.Outcome.TICKET, ticket=ticket)


def mail_ticket_create(
    mail: InboundMail,
    parsed: ParsedMail,
    *,
    customer: Customer,
    contact: Contact | None,
    created_by: User | None = None,
    kind: str = Kind.FAULT,
    priority: str = Priority.P3,
    summary: str = "",
    **cover,
) -> Ticket:
    """A ticket from a mail: reported when the mail reached our server, with its files."""
    summary = (summary or parsed.subject or parsed.body.strip().split("\n")[0]).strip()
    ticket = ticket_create(
        created_by=created_by or (contact.user if contact else None),
        kind=kind,
        priority=priority,
        summary=summary[:SUMMARY_LENGTH] or _("E-mail without a subject"),
        channel="email",
        customer=customer,
        contact=contact,
        description=parsed.body,
        reported_at=mail.received_at,
        **cover,
    )
    _attach(ticket, parsed, by=created_by)
    return ticket


def _attach(ticket: Ticket, parsed: ParsedMail, *, by: User | None) -> None:
    """The mail's files on the ticket, each under the one upload policy; one refused or
    past the count is said on the ticket, never dropped silently."""
    refused = []
    too_many = _("too many files in one mail")
    for index, attachment in enumerate(parsed.attachments):
        if index >= uploads.MAX_FILES:
            refused.append(f"{attachment.name}: {too_many}")
            continue
        try:
            ticket_attach(
                ticket_id=ticket.pk,
                user=by,
                file=ContentFile(attachment.content, name=attachment.name),
            )
        except ValidationError as exc:
            refused.append(f"{attachment.name}: {' '.join(exc.messages)}")
        except Exception:  # a name or content storage refuses: said, never a stopped mailbox
            logger.exception("file %r of a mail on %s not kept", attachment.name, ticket.number)
            refused.append(attachment.name)
    if refused:
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.NOTE,
            at=timezone.now(),
            actor=None,
            **event_note(
                _says(
                    gettext_lazy("Files of the e-mail not kept: %(files)s"),
                    files="; ".join(refused),
                )
            ),
        )


# Triage: an agent decides what a mail the rules could not place becomes.


def may_triage(user) -> bool:
    return has_any_role(user, Role.AGENT, Role.MANAGER)


def _triage_lock(mail_id: int, user) -> InboundMail:
    if not may_triage(user):
        raise TransitionForbidden(_("Only the desk handles mail waiting for an agent."))
    mail = InboundMail.objects.select_for_update().get(pk=mail_id)
    if mail.outcome != InboundMail.Outcome.TRIAGE:
        raise TransitionConflict(
            _("This mail was already handled: %(outcome)s.")
            % {"outcome": mail.get_outcome_display()}
        )
    return mail


def _handled(mail: InboundMail, user, outcome: str, ticket: Ticket | None = None) -> InboundMail:
    mail.outcome = outcome
    mail.ticket = ticket or mail.ticket
    mail.handled_by = user
    mail.handled_at = timezone.now()
    mail.save(update_fields=["outcome", "ticket", "handled_by", "handled_at", "updated_at"])
    return mail


def _stored(mail: InboundMail) -> ParsedMail:
    """The mail as received, read again from the original kept with it."""
    if mail.raw:
        with mail.raw.open("rb") as handle:
            return mail_parse(handle.read(), whole=mail.complete)
    return ParsedMail(
        from_address=mail.from_address,
        from_name=mail.from_name,
        subject=mail.subject,
        body=mail.body,
        message_id=mail.message_id,
        sent_at=None,
    )


@transaction.atomic
def triage_ticket(
    *,
    mail_id: int,
    user: User,
    customer: Customer,
    contact: Contact | None = None,
    kind: str = Kind.FAULT,
    priority: str = Priority.P3,
    summary: str = "",
    contract: Contract | None = None,
) -> Ticket:
    """The agent makes a ticket of the mail for the customer they recognised (and the
    contract, when several cover it)."""
    mail = _triage_lock(mail_id, user)
    parsed = _stored(mail)
    ticket = mail_ticket_create(
        mail,
        parsed,
        customer=customer,
        contact=contact,
        created_by=user,
        kind=kind,
        priority=priority,
        summary=summary,
        contract=contract,
    )
    _handled(mail, user, InboundMail.Outcome.TICKET, ticket)
    return ticket


@transaction.atomic
def triage_reply(*, mail_id: int, user: User, ticket: Ticket) -> Ticket:
    """The agent puts the mail on a ticket it belongs to, as the customer's reply."""
    mail = _triage_lock(mail_id, user)
    if not ticket_visible(user, ticket):
        raise ValidationError({"ticket": _("No such ticket.")})
    parsed = _stored(mail)
    comment_from_mail(
        ticket=ticket,
        author=None,
        from_address=mail.from_address,
        body=reply_text(parsed.body),
        by_customer=True,
    )
    _attach(ticket, parsed, by=user)
    _handled(mail, user, InboundMail.Outcome.COMMENT, ticket)
    return ticket


@transaction.atomic
def triage_dismiss(*, mail_id: int, user: User) -> InboundMail:
    """Spam, or nothing for the desk: kept for the record, out of the list."""
    mail = _triage_lock(mail_id, user)
    return _handled(mail, user, InboundMail.Outcome.DISMISSED)
