"""Complaints reach the management group (seed 004, 7.1.2.2 and the duties list:
"受理接受客户的意见和投诉 … 作好用户投诉和处理结果记录 … 在规定时限内答复用户").

A complaint is routed to the contract's service manager (else the branch's managers) when
it is logged, and runs its own answer clock (the contract's "complaints answered within",
calendar hours). The manager records what they found, whether it was justified, what is
done about it and the answer; the answer goes to the customer as a reply, stops the clock,
and only then may the complaint be resolved. The monthly figures are `complaints_month`.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import has_any_role
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_text
from core.translatable import Message
from tickets.models import Comment, ComplaintAnswer, Kind, SlaClock, Ticket, TicketEvent
from tickets.models.records import event_note
from tickets.notify import notify
from tickets.selectors import service_managers_of, ticket_contact_user
from tickets.services.transitions import ticket_lock, ticket_promise_kept

ANSWER = SlaClock.Kind.ANSWER


def may_answer(user) -> bool:
    """The management group answers complaints: the service managers."""
    return has_any_role(user, Role.MANAGER)


def may_answer_now(ticket: Ticket, user, *, answered: bool) -> bool:
    """Whether this user may answer this complaint now (what `complaint_answer` checks)."""
    return ticket.kind == Kind.COMPLAINT and ticket.is_open and not answered and may_answer(user)


def complaint_routed(ticket: Ticket, *, now: datetime) -> list[User]:
    """A complaint was logged: the service managers are told, and the routing is on the
    ticket's history. Returns who it went to."""
    managers = service_managers_of(ticket)
    names = ", ".join(m.get_full_name() or m.username for m in managers) or "—"
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=now,
        actor=None,
        **event_note(
            Message(
                gettext_lazy("Complaint routed to the service manager: %(names)s"),
                params={"names": names},
            )
        ),
        data={"complaint": {"routed_to": [m.pk for m in managers]}},
    )
    notify(
        managers,
        Message(
            gettext_lazy("Complaint %(number)s from %(customer)s: answer it in time"),
            gettext_lazy("%(summary)s\n/desk/tickets/%(number)s/"),
            {"number": ticket.number, "customer": ticket.customer.name, "summary": ticket.summary},
        ),
        ticket=ticket,
        key=f"complaint:{ticket.pk}:routed",
    )
    return managers


@transaction.atomic
def complaint_answer(
    *,
    ticket: Ticket,
    user: User,
    finding: str,
    justified: bool,
    action: str,
    answer: str,
    now: datetime | None = None,
) -> ComplaintAnswer:
    """The service manager's answer: recorded once, sent to the customer as a reply, and
    the answer clock stopped, met or breached."""
    if not may_answer(user):
        raise TransitionForbidden(_("Only a service manager answers complaints."))
    ticket = ticket_lock(ticket.pk)
    if ticket.kind != Kind.COMPLAINT:
        raise TransitionConflict(_("Only complaints are answered this way."))
    if not ticket.is_open:
        raise TransitionConflict(_("This complaint is closed."))
    if ComplaintAnswer.objects.filter(ticket=ticket).exists():
        raise TransitionConflict(_("This complaint is answered already."))
    fields = {
        "finding": clean_text(finding or "", field="finding").strip(),
        "action": clean_text(action or "", field="action").strip(),
        "answer": clean_text(answer or "", field="answer").strip(),
    }
    missing = {
        name: _("This field is required.") for name in ("finding", "answer") if not fields[name]
    }
    if missing:
        raise ValidationError(missing)
    now = now or timezone.now()
    record = ComplaintAnswer.objects.create(
        ticket=ticket, answered_by=user, answered_at=now, justified=bool(justified), **fields
    )
    # The customer reads the answer where they read our replies.
    Comment.objects.create(ticket=ticket, author=user, body=fields["answer"])
    ticket_promise_kept(ticket=ticket, kind=ANSWER, at=now)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=now,
        actor=user,
        **event_note(
            Message(
                gettext_lazy("Complaint answered: justified")
                if record.justified
                else gettext_lazy("Complaint answered: not justified")
            )
        ),
        data={"complaint": {"answered": True, "justified": record.justified}},
    )
    notify(
        [ticket_contact_user(ticket)],
        Message(
            gettext_lazy("Your complaint %(number)s is answered"),
            gettext_lazy("%(answer)s\n/portal/tickets/%(number)s/"),
            {"number": ticket.number, "answer": fields["answer"]},
        ),
        ticket=ticket,
        key=f"complaint:{ticket.pk}:answered",
    )
    return record


def complaint_answered(ticket: Ticket) -> bool:
    return ComplaintAnswer.objects.filter(ticket=ticket).exists()


@dataclass
class ComplaintRow:
    ticket: Ticket
    answer: ComplaintAnswer | None
    clock: SlaClock | None

    @property
    def on_time(self) -> bool | None:
        """Answered within the hours (None while it waits and is not late yet)."""
        if self.clock is None:
            return None
        if self.clock.status == SlaClock.Status.MET:
            return True
        if self.clock.status == SlaClock.Status.BREACHED or self.clock.breached_at:
            return False
        return None


def complaints_month(month: date, *, customer_id: int | None = None) -> list[ComplaintRow]:
    """The complaints reported in a month (Asia/Shanghai), with their answers and clocks;
    three queries."""
    zone = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=zone)
    tickets = (
        Ticket.objects.filter(kind=Kind.COMPLAINT, reported_at__gte=start, reported_at__lt=end)
        .select_related("customer", "complaint_answer__answered_by")
        .prefetch_related(
            Prefetch(
                "clocks", queryset=SlaClock.objects.filter(kind=ANSWER), to_attr="answer_clocks"
            )
        )
        .order_by("reported_at", "pk")
    )
    if customer_id:
        tickets = tickets.filter(customer_id=customer_id)
    rows = []
    for ticket in tickets:
        answer = getattr(ticket, "complaint_answer", None) if _has_answer(ticket) else None
        rows.append(
            ComplaintRow(ticket, answer, ticket.answer_clocks[0] if ticket.answer_clocks else None)
        )
    return rows


def _has_answer(ticket: Ticket) -> bool:
    try:
        ticket.complaint_answer  # noqa: B018 (the reverse one-to-one raises when missing)
    except ComplaintAnswer.DoesNotExist:
        return False
    return True
