"""Reading the mail the desk received: who sees it, what waits for an agent, which
mailboxes fail."""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.roles import DESK_ROLES
from accounts.selectors import role_of
from contracts.models import Contact, Customer
from mail_intake.models import InboundMail, Mailbox

# Addresses at these domains say nothing about the organisation of the sender.
PUBLIC_DOMAINS = frozenset(
    {
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "sohu.com",
        "139.com",
        "yeah.net",
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "foxmail.com",
        "aliyun.com",
    }
)


def mails_visible_to(user) -> QuerySet[InboundMail]:
    """The desk (agents, managers, leaders) reads the mail; nobody else does."""
    if not user or not user.is_active or role_of(user) not in DESK_ROLES:
        return InboundMail.objects.none()
    return InboundMail.objects.select_related("mailbox", "ticket", "handled_by")


def mails_waiting(user) -> QuerySet[InboundMail]:
    """The triage list: oldest first, as a queue is worked."""
    return (
        mails_visible_to(user)
        .filter(outcome=InboundMail.Outcome.TRIAGE)
        .order_by("received_at", "pk")
    )


# Beat reads every minute: a mailbox not read for this long is not being read.
LATE_AFTER = timedelta(minutes=5)


def mailboxes_failing() -> list[Mailbox]:
    return [m for m in Mailbox.objects.filter(active=True) if m.failing]


def mailboxes_late(now: datetime | None = None) -> list[tuple[Mailbox, str]]:
    """Active mailboxes whose last read failed, or that were not read lately (beat or the
    worker stopped), with why."""
    now = now or timezone.now()
    late = []
    for box in Mailbox.objects.filter(active=True):
        if box.failing:
            late.append((box, "read failed"))
        elif box.created_at < now - LATE_AFTER and (
            box.last_polled_at is None or box.last_polled_at < now - LATE_AFTER
        ):
            late.append((box, "not read for over 5 minutes"))
    return late


def customer_suggested(address: str) -> Customer | None:
    """The customer whose contacts write from the same company domain, when only one does."""
    domain = address.rpartition("@")[2].lower()
    if not domain or domain in PUBLIC_DOMAINS:
        return None
    ids = set(
        Contact.objects.filter(email__iendswith=f"@{domain}").values_list("customer_id", flat=True)
    )
    return Customer.objects.filter(pk=ids.pop()).first() if len(ids) == 1 else None
