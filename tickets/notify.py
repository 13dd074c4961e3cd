"""Telling people: the one service that writes notifications, and queues their e-mail.

Escalation steps, calendar-year reminders, inspections, surveys, planned downtime and
software notices all call `notify` or `notify_all`; nothing else writes Notification rows.
Each notification is shown in the person's list of notifications (the in-app channel) and
sent by e-mail (tickets/mail.py, the e-mail channel) to those who have an address; an
escalation step is also posted to the chat groups of its tier (tickets/chat.py). A
customer's contact without a login is told by e-mail alone (`Notice.addresses`).

A notification keeps its message untranslated (core.translatable.Message),
so pages, the API and e-mails render it in their reader's language; the
`title` and `body` columns keep it as written in the site's language, for
the admin and for notifications older than that.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import User
from core.queue import task_send_on_commit
from core.translatable import Message
from tickets.chat import chat_enqueue
from tickets.models import EscalationStep, Notification, Ticket
from tickets.selectors import notification_withdrawn_q

DELIVER_TASK = "tickets.tasks.deliver_notifications"


@dataclass(frozen=True)
class Notice:
    """One message for a set of people, about a ticket or an escalation step if any.

    With a `key`, each person gets the message once, however often it is sent.
    """

    users: Iterable[User | None]
    message: Message
    ticket: Ticket | None = None
    step: EscalationStep | None = None
    key: str = ""
    # People without a login, told by e-mail only (a customer's contacts); needs a key.
    addresses: Iterable[str] = ()


def notify(
    users: Iterable[User | None],
    message: Message,
    *,
    ticket: Ticket | None = None,
    step: EscalationStep | None = None,
    key: str = "",
) -> int:
    """Notify each active person in `users` once; returns how many notifications were written."""
    return notify_all([Notice(users, message, ticket=ticket, step=step, key=key)])


def notify_all(notices: Iterable[Notice]) -> int:
    """Write the notifications of several notices in one statement (a sweep's batch).

    Nobody is told twice about one step or one key: people already told are
    skipped, and the unique constraints drop a row a concurrent run wrote
    first. Inactive people and empty places (no engineer yet) are skipped.
    The e-mails are queued when the transaction commits.
    """
    notices = list(notices)
    told = _already_told(notices)
    now = timezone.now()
    rows = []
    title_length = Notification._meta.get_field("title").max_length
    # The stored title and body are the site's language, whoever triggered the message.
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            common = {
                "ticket": notice.ticket,
                "step": notice.step,
                "key": notice.key,
                "title": notice.message.title_text()[:title_length],
                "body": notice.message.body_text(),
                "message": notice.message.to_json(),
            }
            for user in _people(notice.users):
                if (user.pk, notice.key) in told:
                    continue
                rows.append(
                    Notification(user=user, email_due_at=now if user.email else None, **common)
                )
            for address in _addresses(notice):
                if (address, notice.key) not in told:
                    rows.append(Notification(address=address, email_due_at=now, **common))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email_due_at for row in rows):
        task_send_on_commit(DELIVER_TASK)
    # Escalation steps are also posted to the chat groups that hear their tier.
    chat_enqueue(notices)
    return len(rows)


def _people(users: Iterable[User | None]) -> list[User]:
    seen: set[int] = set()
    people = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _addresses(notice: Notice) -> list[str]:
    """The notice's e-mail-only addresses, each once; only with a key, which is what keeps
    an address from being told twice."""
    if not notice.key:
        return []
    return sorted({address.strip().lower() for address in notice.addresses if address.strip()})


def _already_told(notices: list[Notice]) -> set[tuple[int | str, str]]:
    """(user id or address, key) of the people already told under these notices' keys."""
    keys = {notice.key for notice in notices if notice.key}
    if not keys:
        return set()
    found = Notification.objects.filter(key__in=keys).values_list("user_id", "address", "key")
    return {(user_id or address, key) for user_id, address, key in found}


def notifications_withdrawn_refresh(tickets: Iterable[Ticket] | None = None) -> None:
    """Store notification_withdrawn_q on these tickets' notifications, after a step changed
    their clocks or state (the only ways a warning stops mattering, or matters again on a
    reopened ticket). Two statements, bounded by the tickets' own notifications; without
    tickets, all of them (data loaded in bulk, which no step went through)."""
    scope = Notification.objects.filter(step__isnull=False)
    if tickets is not None:
        scope = scope.filter(ticket__in=[t.pk for t in tickets])
    withdrawn = scope.filter(notification_withdrawn_q()).values("pk")
    scope.filter(withdrawn=False, pk__in=withdrawn).update(withdrawn=True)
    scope.filter(withdrawn=True).exclude(pk__in=withdrawn).update(withdrawn=False)
