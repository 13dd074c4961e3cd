"""The e-mail channel of notifications: each sent once, in batches, retried with backoff.

A notification for someone with an address waits with `email_due_at` set.
One delivery run costs the same per message whatever the backlog:

- claim: one statement takes up to a batch of due rows (`FOR UPDATE SKIP
  LOCKED`, so deliverers running at once never take the same row) and moves
  their due time a lease ahead: a deliverer that dies before marking leaves
  them to be claimed again when the lease ends, so an e-mail can repeat,
  never be lost;
- send: the whole batch over one connection to the mail server;
- mark: one statement records the batch, sent or failed. A failed e-mail is
  tried again after a delay that doubles with each failure; after
  MAX_EMAIL_ATTEMPTS it is given up, and stays in the person's notifications.
"""

import hashlib
import hmac
import logging
import re
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone, translation

from accounts.language import language_of
from core.links import absolute_links
from tickets.models import Notification

logger = logging.getLogger(__name__)

BATCH = 200
# A claimed batch is sent well within this; past it the claim lapses and another run sends it.
LEASE = timedelta(minutes=10)
# The first retry waits this long, each later one twice as long as the one before, up to the cap.
BACKOFF = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# 1 + 2 + 4 + ... minutes: the mail server may be away about two hours before an e-mail is given up.
MAX_EMAIL_ATTEMPTS = 8

# The claim is picked once (a MATERIALIZED CTE): as a subquery of `IN (...)` PostgreSQL
# may run it again for the outer scan, and with SKIP LOCKED each run can pick other
# rows, so a batch of 3 could claim 5.
_CLAIM_SQL = """WITH picked AS MATERIALIZED (
    SELECT id FROM {table}
    WHERE email_due_at <= %(now)s
    ORDER BY email_due_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE {table} AS n SET email_due_at = %(lease)s
FROM picked WHERE n.id = picked.id
RETURNING n.id
"""


def retry_delay(failures: int) -> timedelta:
    """How long to wait after the `failures`-th failed attempt before the next."""
    return min(BACKOFF * 2 ** (failures - 1), BACKOFF_CAP)


def notifications_deliver(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Send one batch of the e-mails due; returns how many were sent."""
    now = now or timezone.now()
    lease = now + LEASE
    batch = _claim(now=now, lease=lease, limit=limit)
    if not batch:
        return 0
    sent, failed = _send(batch)
    _mark(batch, lease=lease, sent=sent, failed=failed, now=now)
    return len(sent)


def _claim(*, now: datetime, lease: datetime, limit: int) -> list[Notification]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL.format(table=connection.ops.quote_name(Notification._meta.db_table)),
            {"lease": lease, "now": now, "limit": limit},
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    return list(
        Notification.objects.filter(pk__in=ids).select_related("user", "ticket").order_by("pk")
    )


def _recipient(notification: Notification) -> str:
    """The address to send to: the person's own, or the e-mail-only address."""
    return notification.user.email if notification.user_id else notification.address


def _send(batch: list[Notification]) -> tuple[set[int], set[int]]:
    """Send over one connection; returns the ids sent and the ids that failed."""
    sent: set[int] = set()
    failed: set[int] = set()
    mailer = get_connection(fail_silently=False)
    try:
        mailer.open()
    except Exception as exc:  # the server is away: the whole batch waits for its retry
        logger.warning("mail server unreachable; %s e-mails wait: %s", len(batch), exc)
        return sent, {n.pk for n in batch}
    try:
        for notification in batch:
            if not _recipient(notification):
                continue  # the address was removed meanwhile: nothing to send
            # In the language the person last chose on the site (accounts/language.py); the
            # site's for someone without a login.
            language = (
                language_of(notification.user) if notification.user_id else settings.LANGUAGE_CODE
            )
            try:
                with translation.override(language):
                    mailer.send_messages([_email(notification)])
            except Exception as exc:  # this address or message: the others go on
                logger.warning("e-mail of notification %s failed: %s", notification.pk, exc)
                failed.add(notification.pk)
            else:
                sent.add(notification.pk)
    finally:
        mailer.close()
    return sent, failed


def _email(notification: Notification) -> EmailMessage:
    """The e-mail of a notification. One about a ticket carries its number in the subject,
    [#2026-000123], and in its Message-ID, so that a reply lands on the ticket
    (mail_intake); it says it is automatic, so that it never opens a ticket itself."""
    subject = notification.display_title
    headers = {"Auto-Submitted": "auto-generated"}
    if notification.ticket_id:
        number = notification.ticket.number
        if f"[{number}]" in subject:  # titles of escalation steps name it already
            subject = subject.replace(f"[{number}]", f"[#{number}]", 1)
        elif f"[#{number}]" not in subject:
            subject = f"[#{number}] {subject}"
        headers["Message-ID"] = reply_reference(number, notification.pk)
        headers["X-Servicedesk-Ticket"] = number
    return EmailMessage(
        subject=subject,
        body=absolute_links(notification.display_body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_recipient(notification)],
        headers=headers,
    )


def _token(number: str, notification_id: int) -> str:
    message = f"{number}.{notification_id}".encode()
    key = f"reply-reference:{settings.SECRET_KEY}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def reply_reference(number: str, notification_id: int) -> str:
    """The Message-ID of a notification's e-mail: it names the ticket and the notification,
    signed, so that a reply's In-Reply-To proves it answers this mail (mail_intake)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<ticket.{number}.n{notification_id}.{_token(number, notification_id)}@{domain}>"


_REFERENCE = re.compile(r"<ticket\.(\d{4}-\d{6})\.n(\d{1,18})\.([0-9a-f]{20})@")


def reply_reference_notification(reference: str, *, number: str) -> int | None:
    """The notification a reply answers, when `reference` is one of our Message-IDs for
    ticket `number` with a valid token; None otherwise."""
    found = _REFERENCE.search(reference)
    if not found or found.group(1) != number:
        return None
    notification_id = int(found.group(2))
    if not hmac.compare_digest(found.group(3), _token(number, notification_id)):
        return None
    return notification_id


# Each row matched by its id in one statement: a CASE WHEN per id would cost
# each row a scan of the batch's ids, which grows with the batch.
_MARK_SQL = """UPDATE {table} AS n
SET emailed_at = CASE WHEN m.sent THEN %(now)s ELSE n.emailed_at END,
    email_failures = n.email_failures + CASE WHEN m.failed THEN 1 ELSE 0 END,
    email_due_at = m.due,
    updated_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(sent)s::boolean[], %(failed)s::boolean[], %(due)s::timestamptz[])
    AS m(id, sent, failed, due)
WHERE n.id = m.id AND n.email_due_at = %(lease)s
"""


def _mark(batch, *, lease: datetime, sent: set[int], failed: set[int], now: datetime) -> None:
    """Record the batch in one statement; a claim that lapsed meanwhile is left to its new owner.

    Sent, skipped (no address any more) and given-up e-mails leave the queue
    (no due time); a failed one waits for its retry.
    """
    due = [
        now + retry_delay(n.email_failures + 1)
        if n.pk in failed and n.email_failures + 1 < MAX_EMAIL_ATTEMPTS
        else None
        for n in batch
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SQL.format(table=connection.ops.quote_name(Notification._meta.db_table)),
            {
                "now": now,
                "lease": lease,
                "ids": [n.pk for n in batch],
                "sent": [n.pk in sent for n in batch],
                "failed": [n.pk in failed for n in batch],
                "due": due,
            },
        )
