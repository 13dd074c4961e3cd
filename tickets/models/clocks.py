"""SLA clocks and the one rule for their outcome (met, breached, at risk, running, paused).

The rule exists twice, side by side and from the same definition: as SQL
conditions (`SlaClockQuerySet.with_outcome`, `.breached`, `.met`, ...) for
lists and counts, and as a Python function (`clock_outcome`) for clocks
already in memory. `tests/tickets/test_outcome.py` checks that both give the
same answer for every kind of clock. Every screen, report, CSV and API filter
reads a clock's outcome through one of them (docs/SLA.md, "What met,
breached, at risk mean").
"""

from datetime import datetime

from django.db import models
from django.db.models import Case, CharField, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Least
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class Outcome(models.TextChoices):
    """A clock's outcome at a moment, as every screen and report shows it."""

    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    AT_RISK = "at_risk", _("At risk")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    NOT_NEEDED = "not_needed", _("Not needed")


# Outcomes of a promise kept or broken; the others are not decided yet (or never will be).
DECIDED = (Outcome.MET, Outcome.BREACHED)
UNDECIDED = (Outcome.AT_RISK, Outcome.RUNNING, Outcome.PAUSED)


def _parts(now: datetime) -> tuple[Q, Q, Q]:
    """The building blocks of the rule: breached, stopped, not yet due."""
    status = SlaClock.Status
    stopped = Q(stopped_at__isnull=False) | Q(status__in=[status.MET, status.CANCELLED])
    breached = (
        Q(breached_at__isnull=False)
        | Q(status=status.BREACHED)
        | Q(stopped_at__gt=F("target_at"))
        | (~stopped & Q(target_at__lt=now))
    )
    # Not stopped and not breached, spelled so that PostgreSQL can use the (status, target)
    # index: with its five statuses, a clock that counts is running or paused.
    not_due = Q(stopped_at__isnull=True, breached_at__isnull=True) & (
        Q(target_at__isnull=True) | Q(target_at__gte=now)
    )
    return breached, stopped, not_due


def outcome_conditions(now: datetime) -> dict[str, Q]:
    """The rule as SQL filters: one condition per outcome; exactly one holds for any clock."""
    status = SlaClock.Status
    breached, stopped, not_due = _parts(now)
    counting = Q(status=status.RUNNING) & not_due
    return {
        Outcome.BREACHED: breached,
        Outcome.NOT_NEEDED: ~breached & Q(status=status.CANCELLED),
        Outcome.MET: ~breached & stopped & ~Q(status=status.CANCELLED),
        Outcome.PAUSED: Q(status=status.PAUSED) & not_due,
        Outcome.AT_RISK: counting & Q(at_risk_at__lte=now),
        Outcome.RUNNING: counting & ~Q(at_risk_at__lte=now),
    }


def outcome_case(now: datetime) -> Case:
    """The outcome as a value per row (for `annotate`, `values`, grouped counts).

    The same rule as `outcome_conditions`, in the order of `clock_outcome`: a
    CASE takes the first branch that holds, so each needs only its own test.
    """
    status = SlaClock.Status
    breached, stopped, _not_due = _parts(now)
    return Case(
        When(breached, then=Value(Outcome.BREACHED.value)),
        When(Q(status=status.CANCELLED), then=Value(Outcome.NOT_NEEDED.value)),
        When(stopped, then=Value(Outcome.MET.value)),
        When(Q(status=status.PAUSED), then=Value(Outcome.PAUSED.value)),
        When(Q(at_risk_at__lte=now), then=Value(Outcome.AT_RISK.value)),
        default=Value(Outcome.RUNNING.value),
        output_field=CharField(),
    )


def clock_outcome(clock: "SlaClock", now: datetime) -> str:
    """The rule in Python, for a clock in memory; the same answer as `outcome_conditions`.

    - breached: a breach was recorded (it is never erased), the clock stopped
      after its target, or it still counts and `now` is past its target;
    - not needed: cancelled without a breach (ticket cancelled, no visit needed);
    - met: stopped by its target (`stopped_at <= target_at`);
    - paused: waiting on the customer; no target while paused;
    - at risk: counting, and `now` has reached its first warning (`at_risk_at`);
    - running: counting, before its first warning.
    """
    status = SlaClock.Status
    stopped = clock.stopped_at is not None or clock.status in (status.MET, status.CANCELLED)
    target = clock.target_at
    if (
        clock.breached_at is not None
        or clock.status == status.BREACHED
        or (clock.stopped_at is not None and target is not None and clock.stopped_at > target)
        or (not stopped and target is not None and target < now)
    ):
        return Outcome.BREACHED
    if clock.status == status.CANCELLED:
        return Outcome.NOT_NEEDED
    if stopped:
        return Outcome.MET
    if clock.status == status.PAUSED:
        return Outcome.PAUSED
    if clock.at_risk_at is not None and clock.at_risk_at <= now:
        return Outcome.AT_RISK
    return Outcome.RUNNING


def ticket_alert(clocks, now: datetime) -> str | None:
    """What a ticket row flags from its clocks: breached if any is, else at risk if any is."""
    outcomes = {clock_outcome(clock, now) for clock in clocks}
    for outcome in (Outcome.BREACHED, Outcome.AT_RISK):
        if outcome in outcomes:
            return outcome
    return None


def ticket_breached_q(now: datetime, prefix: str = "") -> Q:
    """Tickets with at least one clock breached at `now`, as one indexed condition.

    `Ticket.first_breach_at` is the earliest breach moment of the ticket's clocks that have
    breached or still can: COALESCE(breached_at, target_at) of a clock with a breach
    recorded, stopped after its target, or still counting towards a target. Each such clock
    is breached (by `outcome_conditions`) exactly when its moment is before `now`, so the
    ticket has a breached clock exactly when the earliest is. PostgreSQL keeps the column
    (migration 0017); `tests/reports/test_sla_lists.py` checks it against the clock rule.
    """
    return Q(**{f"{prefix}first_breach_at__lt": now})


class SlaClockQuerySet(QuerySet):
    """Clocks by outcome at a moment: the SQL side of `clock_outcome`."""

    def with_outcome(self, now: datetime) -> "SlaClockQuerySet":
        return self.annotate(outcome=outcome_case(now))

    def by_outcome(self, outcome: str, now: datetime) -> "SlaClockQuerySet":
        return self.filter(outcome_conditions(now)[outcome])

    def breached(self, now: datetime) -> "SlaClockQuerySet":
        return self.by_outcome(Outcome.BREACHED, now)

    def met(self, now: datetime) -> "SlaClockQuerySet":
        return self.by_outcome(Outcome.MET, now)

    def at_risk(self, now: datetime) -> "SlaClockQuerySet":
        return self.by_outcome(Outcome.AT_RISK, now)

    def running(self, now: datetime) -> "SlaClockQuerySet":
        return self.by_outcome(Outcome.RUNNING, now)

    def paused(self, now: datetime) -> "SlaClockQuerySet":
        return self.by_outcome(Outcome.PAUSED, now)


def live_outcome_until() -> Least:
    """Until when a clock still counting keeps the outcome the SLA rollups count it under
    (tickets.rollups): its target, and before that its first warning while the sweep has
    recorded none. NULL for a clock with neither: its outcome never moves."""
    return Least(
        "target_at",
        Case(When(warned_at__isnull=True, then=F("at_risk_at")), output_field=DateTimeField()),
    )


class SlaClock(Timestamped):
    """One promise on one ticket: respond, be on site, resolve, repair or replace, lend a
    substitute device.

    `target_at` is the deadline; `next_step_at` is when the next escalation
    step falls due. Both live in the database, which is the source of truth:
    the sweep finds due work with an index on `next_step_at`, so its cost
    grows with the clocks due, not with the tickets.
    """

    class Kind(models.TextChoices):
        RESPONSE = "response", _("Response")
        ONSITE = "onsite", _("On site")
        RESOLUTION = "resolution", _("Resolution")
        REPAIR = "repair", _("Repair or replace")
        SUBSTITUTE = "substitute", _("Substitute device")
        ANSWER = "answer", _("Complaint answer")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")
        CANCELLED = "cancelled", _("Not needed")

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    calendar = models.ForeignKey(
        "contracts.Calendar",
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: calendar time (every hour counts)."),
    )
    budget_seconds = models.PositiveIntegerField(_("time allowed (seconds)"))
    started_at = models.DateTimeField(_("started at"))
    target_at = models.DateTimeField(_("target"), null=True, blank=True)
    at_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    next_step_at = models.DateTimeField(_("next escalation step at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    unconfirmed_years = models.JSONField(
        _("holiday years not confirmed"),
        default=list,
        blank=True,
        help_text=_(
            "Years the deadline arithmetic read whose holidays are not confirmed yet: "
            "the deadline is provisional."
        ),
    )

    objects = SlaClockQuerySet.as_manager()

    class Meta:
        ordering = ["ticket", "kind"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="clock_one_per_kind"),
        ]
        indexes = [
            # Only clocks with a step to come are in the index: the sweep's
            # query touches nothing else.
            models.Index(
                fields=["next_step_at"],
                name="clock_next_step_due",
                condition=models.Q(next_step_at__isnull=False),
            ),
            models.Index(fields=["status", "target_at"], name="clock_status_target"),
            # The SLA dashboard reads a period's clocks by start (= the ticket's reported_at).
            models.Index(fields=["started_at"], name="clock_started"),
            # The queue's "next deadline" per ticket reads only clocks still counting.
            models.Index(
                fields=["ticket", "target_at"],
                name="clock_counting_by_ticket",
                condition=models.Q(stopped_at__isnull=True),
            ),
            # The clocks still counting whose outcome has moved on from the one the rollups
            # count them under (tickets.rollups.live_corrections). An expression, so that
            # ANALYZE keeps statistics of it over these clocks alone: as a plain column, the
            # planner would take most of them to be past their target, as most clocks are.
            models.Index(
                live_outcome_until(),
                name="clock_live_until",
                condition=models.Q(
                    status="running", breached_at__isnull=True, stopped_at__isnull=True
                ),
            ),
            models.Index(
                fields=["at_risk_at"],
                name="clock_live_warned",
                condition=models.Q(
                    status="running",
                    breached_at__isnull=True,
                    stopped_at__isnull=True,
                    warned_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None or self.status == self.Status.CANCELLED

    @property
    def provisional(self) -> bool:
        """The deadline read a year whose holidays are not confirmed: it may still move.

        A stopped clock's outcome is final, so it is never provisional.
        """
        return bool(self.unconfirmed_years) and not self.is_stopped

    @property
    def unconfirmed_years_label(self) -> str:
        return ", ".join(str(year) for year in self.unconfirmed_years)

    def outcome_at(self, now: datetime) -> str:
        return clock_outcome(self, now)


class ClockPause(Timestamped):
    """A stretch during which a clock did not count (waiting on the customer, reopened)."""

    clock = models.ForeignKey(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="pauses"
    )
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["clock", "started_at"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=models.Q(ended_at__isnull=True),
                name="clock_one_open_pause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.started_at:%Y-%m-%d %H:%M}"
