"""A ticket and its state machine: kinds, channels, states, and the transitions between them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from contracts.models.contracts import Priority
from contracts.phases import Phase
from core.models import Timestamped
from tickets import permissions as may
from tickets.models.changes import ChangeApproval
from tickets.models.complaints import ComplaintAnswer
from tickets.models.trial import trial_answer_of, trial_fix_hours


class Kind(models.TextChoices):
    FAULT = "fault", _("Fault")
    CONSULTATION = "consultation", _("Consultation")
    CHANGE_REQUEST = "change_request", _("Change request")
    COMPLAINT = "complaint", _("Complaint")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    API = "api", _("API")


class State(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SITE = "on_site", _("On site")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")
    SUBMITTED = "submitted", _("Submitted for sign-off")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ACCEPTED = "accepted", _("Accepted")


# States in which work is under way: clocks run, escalations matter.
WORKING_STATES = [
    State.ACKNOWLEDGED,
    State.DISPATCHED,
    State.EN_ROUTE,
    State.ON_SITE,
    State.REOPENED,
]
OPEN_STATES = [
    State.NEW,
    *WORKING_STATES,
    State.WAITING_CUSTOMER,
    State.SUBMITTED,
    State.APPROVED,
    State.IN_PROGRESS,
]
FINISHED_STATES = [
    State.RESOLVED,
    State.CLOSED,
    State.CANCELLED,
    State.REJECTED,
    State.DONE,
    State.ACCEPTED,
]
# Waiting for the desk's first answer: the queue shows these first.
UNACKNOWLEDGED = models.Case(
    models.When(state__in=[State.NEW, State.SUBMITTED], then=models.Value(True)),
    default=models.Value(False),
    output_field=models.BooleanField(),
)
# The customer portal's order: open tickets first (tickets.views.portal), then the latest.
OPEN_FIRST = models.Case(
    models.When(state__in=OPEN_STATES, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)
# Kinds that may need an engineer on site; the others have no on-site clock.
VISIT_KINDS = [Kind.FAULT]


def is_fault(ticket) -> bool:
    return ticket.kind == Kind.FAULT


def is_not_change_request(ticket) -> bool:
    return ticket.kind != Kind.CHANGE_REQUEST


def is_change_request(ticket) -> bool:
    return ticket.kind == Kind.CHANGE_REQUEST


def change_accepted(ticket) -> bool:
    """The customer signed the change request and accepted our evaluation (ChangeApproval)."""
    return ChangeApproval.objects.filter(ticket=ticket, sign_approved=True, accepted=True).exists()


def answered_if_complaint(ticket) -> bool:
    """A complaint is resolved once the service manager has answered it (tickets.complaints)."""
    if ticket.kind != Kind.COMPLAINT:
        return True
    return ComplaintAnswer.objects.filter(ticket=ticket).exists()


def fix_deployed_if_trial(ticket) -> bool:
    """A fault of the trial phase is resolved once it was answered (cause, fix date, size)
    and the fix deployed after our internal test (tickets.trial_answers)."""
    if trial_fix_hours(ticket) is None:
        return True
    answer = trial_answer_of(ticket)
    return answer is not None and answer.deployed_at is not None


def has_engineer(ticket) -> bool:
    return ticket.assigned_engineer_id is not None


def within_reopen_window(ticket) -> bool:
    """Reopened within REOPEN_WINDOW_DAYS of its end, at the moment of the step
    (`step_at`, set by tickets.services.transitions for the step it checks), else now."""
    finished = ticket.closed_at or ticket.resolved_at
    if finished is None:
        return False
    window = timezone.timedelta(days=settings.REOPEN_WINDOW_DAYS)
    return (getattr(ticket, "step_at", None) or timezone.now()) - finished <= window


# Why a condition fails, in words an agent can pass on.
is_fault.reason = _("Only faults are dispatched to an engineer on site.")
is_not_change_request.reason = _("Change requests follow the sign-off workflow.")
is_change_request.reason = _("Only change requests need project-management sign-off.")
has_engineer.reason = _("No engineer is assigned to this ticket.")
answered_if_complaint.reason = _("The service manager answers the complaint before it is resolved.")
change_accepted.reason = _(
    "The customer signs the change request and accepts our evaluation before work starts."
)
fix_deployed_if_trial.reason = _(
    "In the trial phase the fault is answered and its fix deployed before it is resolved."
)
within_reopen_window.reason = _("The reopen window has passed.")


class Ticket(FSMModelMixin, Timestamped):
    """A request logged by the hotline, the portal or the API (工单)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FAULT)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    state = FSMField(_("state"), max_length=20, choices=State.choices, protected=True)
    customer = models.ForeignKey(
        "contracts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contact = models.ForeignKey(
        "contracts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    site = models.ForeignKey(
        "contracts.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    covered_item = models.ForeignKey(
        "contracts.CoveredItem",
        verbose_name=_("covered item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    phase = models.CharField(_("contract phase when reported"), max_length=20, blank=True)
    covered = models.BooleanField(
        _("covered by a contract"),
        default=False,
        help_text=_("False: no contract in force; the work is billable and has no clocks."),
    )
    terms_applied = models.JSONField(_("terms applied"), default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    assigned_engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="created_tickets",
    )
    state_before_wait = models.CharField(max_length=20, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted by the engineer at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    confirmed_by_customer = models.BooleanField(_("confirmed by the customer"), default=False)
    # The nearest target of a clock still counting (running or overdue), kept by the database
    # itself: triggers on the clocks table (migration 0015) recompute it whenever a clock is
    # added, removed, or changes target, stop or status, whoever writes it (the clock
    # services, the sweep's bulk update, a calendar recompute, set-based SQL). The queue sorts
    # on it through one index instead of a subquery per open ticket.
    next_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True, editable=False)
    # When the first of its clocks breached, or will breach if it keeps counting; kept by
    # the same triggers as `next_deadline` (migration 0017). The ticket has a breached clock
    # exactly when this moment has passed (`tickets.models.clocks.ticket_breached_q`), so
    # the dashboard's lists of breached tickets read an index, not every clock of a period.
    first_breach_at = models.DateTimeField(
        _("first breach at"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["state", "priority"], name="ticket_state_priority"),
            models.Index(fields=["customer", "state"], name="ticket_customer_state"),
            models.Index(fields=["assigned_engineer", "state"], name="ticket_engineer_state"),
            models.Index(fields=["branch", "state"], name="ticket_branch_state"),
            # The queue's order over open tickets (tickets.selectors.queue_tickets), so its
            # first page is read from the top of this index, however long the history.
            models.Index(
                UNACKNOWLEDGED.desc(),
                models.F("next_deadline").asc(nulls_last=True),
                models.F("reported_at").asc(),
                models.F("id").asc(),
                name="ticket_queue_order",
                condition=models.Q(state__in=OPEN_STATES),
            ),
            # Breached and still open, the oldest breach first (reports.sla.lists).
            models.Index(
                fields=["first_breach_at", "id"],
                name="ticket_open_breach",
                condition=models.Q(state__in=OPEN_STATES, first_breach_at__isnull=False),
            ),
            # Breaches of a period, the latest first (reports.sla.lists).
            models.Index(
                fields=["first_breach_at", "id"],
                name="ticket_first_breach",
                condition=models.Q(first_breach_at__isnull=False),
            ),
            # A customer's tickets in the portal's order, so that its first page is read
            # from the top of this index, however many tickets the customer has had.
            models.Index(
                models.F("customer"),
                OPEN_FIRST,
                models.F("reported_at").desc(),
                models.F("id").desc(),
                name="ticket_portal_order",
            ),
            # One SLA rollup bucket's tickets (tickets.rollups): a day of one customer,
            # contract, branch and engineer is one range of this index, however many
            # tickets that customer or engineer has had before.
            models.Index(
                fields=["customer", "contract", "branch", "assigned_engineer", "reported_at"],
                name="ticket_rollup_bucket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def phase_label(self) -> str:
        """The contract phase it was reported in, in the active language (the terms snapshot
        keeps the label in the language of whoever logged the ticket)."""
        return str(Phase(self.phase).label) if self.phase in Phase.values else self.phase

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # Transitions change the state and the time it happened; services around
    # them lock the row, stop clocks, write events and notify.

    @transition(
        field=state,
        source=State.NEW,
        target=State.ACKNOWLEDGED,
        conditions=[is_not_change_request],
        permission=may.acknowledge,
    )
    def acknowledge(self, *, at) -> None:
        self.acknowledged_at = at

    @transition(
        field=state,
        source=[State.ACKNOWLEDGED, State.REOPENED, State.DISPATCHED],
        target=State.DISPATCHED,
        conditions=[is_fault],
        permission=may.dispatch,
    )
    def dispatch(self, *, at, engineer) -> None:
        self.assigned_engineer = engineer
        self.dispatched_at = at

    @transition(
        field=state,
        source=State.DISPATCHED,
        target=State.EN_ROUTE,
        conditions=[has_engineer],
        permission=may.engineer_on_ticket,
    )
    def depart(self, *, at) -> None:
        self.departed_at = at

    # On site only after setting off: the route is part of the evidence (accept, on my
    # way, check in), so a check-in straight from dispatch is refused with the reason.
    @transition(
        field=state,
        source=State.EN_ROUTE,
        target=State.ON_SITE,
        conditions=[has_engineer],
        permission=may.engineer_on_ticket,
    )
    def check_in(self, *, at) -> None:
        self.on_site_at = at

    @transition(
        field=state,
        source=[
            State.ACKNOWLEDGED,
            State.DISPATCHED,
            State.EN_ROUTE,
            State.ON_SITE,
            State.REOPENED,
        ],
        target=State.RESOLVED,
        conditions=[is_not_change_request, answered_if_complaint, fix_deployed_if_trial],
        permission=may.resolve,
    )
    def resolve(self, *, at) -> None:
        self.resolved_at = at

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.CLOSED,
        permission=may.confirm,
    )
    def confirm(self, *, at) -> None:
        self.closed_at = at
        self.confirmed_by_customer = True

    @transition(field=state, source=State.RESOLVED, target=State.CLOSED, permission=may.close)
    def close(self, *, at) -> None:
        self.closed_at = at

    @transition(
        field=state,
        source=[*WORKING_STATES],
        target=State.WAITING_CUSTOMER,
        permission=may.staff_on_ticket,
    )
    def wait_customer(self, *, at) -> None:
        self.state_before_wait = self.state

    @transition(
        field=state,
        source=State.WAITING_CUSTOMER,
        target=RETURN_VALUE(*WORKING_STATES),
        permission=may.resume,
    )
    def resume(self, *, at) -> str:
        previous, self.state_before_wait = self.state_before_wait, ""
        return previous or State.ACKNOWLEDGED

    @transition(
        field=state,
        source=[State.RESOLVED, State.CLOSED],
        target=State.REOPENED,
        conditions=[within_reopen_window],
        permission=may.reopen,
    )
    def reopen(self, *, at) -> None:
        self.resolved_at = None
        self.closed_at = None
        self.confirmed_by_customer = False

    @transition(
        field=state,
        source=[
            State.NEW,
            *WORKING_STATES,
            State.WAITING_CUSTOMER,
            State.SUBMITTED,
            State.APPROVED,
            State.IN_PROGRESS,
        ],
        target=State.CANCELLED,
        permission=may.cancel,
    )
    def cancel(self, *, at) -> None:
        self.closed_at = at

    # Change requests (seed 000, 1.4.2): project management signs before work starts.

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        conditions=[is_change_request, change_accepted],
        permission=may.sign_off,
    )
    def approve(self, *, at) -> None:
        self.acknowledged_at = at

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        conditions=[is_change_request],
        permission=may.sign_off,
    )
    def reject(self, *, at) -> None:
        self.acknowledged_at = at
        self.closed_at = at

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.IN_PROGRESS,
        conditions=[is_change_request],
        permission=may.staff_on_ticket,
    )
    def start_work(self, *, at) -> None:
        self.dispatched_at = at

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.DONE,
        conditions=[is_change_request],
        permission=may.staff_on_ticket,
    )
    def complete(self, *, at) -> None:
        self.resolved_at = at

    @transition(
        field=state,
        source=State.DONE,
        target=State.ACCEPTED,
        conditions=[is_change_request],
        permission=may.confirm,
    )
    def accept(self, *, at) -> None:
        self.closed_at = at
        self.confirmed_by_customer = True
