"""Reads behind the pages: the queue, an engineer's day, dispatch suggestions."""

from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import DutyShift, User
from accounts.roles import Role
from accounts.selectors import tickets_visible_to
from tickets.models import OPEN_STATES, ClockPause, SlaClock, State, Ticket

RUNNING = [SlaClock.Status.RUNNING, SlaClock.Status.BREACHED]


def clocks_prefetch() -> Prefetch:
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.select_related("calendar").prefetch_related(
            Prefetch("pauses", queryset=ClockPause.objects.order_by("started_at"))
        ),
    )


def with_next_deadline(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate the nearest deadline of a clock still counting (running or overdue).

    A correlated subquery on the partial index of counting clocks: the
    database reads one index entry per ticket instead of joining and grouping
    every clock of every open ticket.
    """
    nearest = (
        SlaClock.objects.filter(ticket=OuterRef("pk"), stopped_at__isnull=True, status__in=RUNNING)
        .order_by("target_at")
        .values("target_at")[:1]
    )
    return queryset.annotate(next_deadline=Subquery(nearest))


def queue_clocks_prefetch() -> Prefetch:
    """Only what a queue row shows of its clocks: no calendars, no pauses."""
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.only(
            "ticket_id", "kind", "status", "target_at", "at_risk_at", "stopped_at", "breached_at"
        ),
    )


def queue_tickets(*, user: User, filters: dict, now: datetime) -> QuerySet[Ticket]:
    """The hotline queue: unacknowledged first, then by the time left before the next breach.

    Open tickets only unless a state filter says otherwise.
    """
    queryset = tickets_visible_to(user, Ticket.objects.all())
    states = filters.get("state") or []
    queryset = (
        queryset.filter(state__in=states) if states else queryset.filter(state__in=OPEN_STATES)
    )
    for field, key in [
        ("priority", "priority"),
        ("kind", "kind"),
        ("customer_id", "customer"),
        ("branch_id", "branch"),
        ("assigned_engineer_id", "engineer"),
    ]:
        if filters.get(key):
            queryset = queryset.filter(**{f"{field}__in": filters[key]})
    if filters.get("breached"):
        queryset = queryset.filter(
            Exists(SlaClock.objects.filter(ticket=OuterRef("pk")).breached(now))
        )
    queryset = with_next_deadline(queryset).annotate(
        unacknowledged=Case(
            When(state__in=[State.NEW, State.SUBMITTED], then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    return queryset.order_by(
        F("unacknowledged").desc(), F("next_deadline").asc(nulls_last=True), "reported_at", "pk"
    )


def queue_page(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The rows of one queue page with what they display, in a fixed number of queries."""
    return tickets.select_related("customer", "site", "assigned_engineer").prefetch_related(
        queue_clocks_prefetch()
    )


def engineer_tickets(*, user: User) -> QuerySet[Ticket]:
    """The engineer's own open tickets, nearest deadline first."""
    queryset = Ticket.objects.filter(assigned_engineer=user, state__in=OPEN_STATES)
    return (
        with_next_deadline(queryset)
        .select_related("customer", "site")
        .prefetch_related(queue_clocks_prefetch())
        .order_by(F("next_deadline").asc(nulls_last=True), "reported_at")
    )


def engineers_suggested(*, ticket: Ticket, now: datetime) -> list[User]:
    """Engineers to dispatch: on duty for the site's branch now first, then the branch's least busy.

    Engineers of other branches follow, so a short-staffed branch can borrow.
    """
    on_duty = DutyShift.objects.filter(engineer=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)
    engineers = (
        User.objects.filter(is_active=True, groups__name=Role.ENGINEER)
        .select_related("branch")
        .annotate(
            open_tickets=Count(
                "assigned_tickets", filter=Q(assigned_tickets__state__in=OPEN_STATES)
            ),
            on_duty=Exists(on_duty),
            same_branch=Case(
                When(branch_id=ticket.branch_id, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by(F("same_branch").desc(), F("on_duty").desc(), "open_tickets", "username")
    )
    return list(engineers)
