"""Reading training: the sessions a person may see, and a year's figures for the yearly
report (reports/documents/satisfaction.py puts them in the analysis)."""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.selectors import customer_id_of
from training import permissions as may
from training.models import Attendee, Material, TrainingSession


def sessions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[TrainingSession]:
    """The vendor's staff see every session; a customer contact their organisation's only."""
    sessions = TrainingSession.objects.all() if queryset is None else queryset
    sessions = sessions.select_related("contract__customer", "trainer")
    if may.see_all_sessions(user):
        return sessions
    customer_id = customer_id_of(user) if user and user.is_authenticated else None
    if customer_id is None:
        return TrainingSession.objects.none()
    return sessions.filter(contract__customer_id=customer_id)


def session_with_details(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Attendees (with their contacts) and materials, in two more queries."""
    return queryset.prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.select_related("contact")),
        Prefetch("materials", queryset=Material.objects.order_by("created_at", "pk")),
    )


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def training_year(*, year: int, customer=None) -> dict:
    """Sessions held in the year (local time of their start), per kind, with the people who
    attended; for one customer or all. Two queries::

        {"year": 2026, "sessions": 3, "attendees": 17, "planned": 1,
         "kinds": [{"kind": "operation", "label": "Software operation",
                    "sessions": 2, "attendees": 12}, …]}   # every kind, in Kind's order
    """
    start, end = _year_bounds(year)
    sessions = TrainingSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if customer is not None:
        customer_id = getattr(customer, "pk", customer)
        sessions = sessions.filter(contract__customer_id=customer_id)
    held = sessions.filter(state=TrainingSession.State.HELD)
    rows = {
        row["kind"]: row
        for row in held.values("kind")
        .annotate(
            n=Count("pk", distinct=True),
            people=Count("attendees", filter=Q(attendees__attended=True)),
        )
        .order_by()
    }
    planned = sessions.filter(state=TrainingSession.State.PLANNED).count()
    kinds = [
        {
            "kind": kind.value,
            "label": kind.label,
            "sessions": rows.get(kind.value, {}).get("n", 0),
            "attendees": rows.get(kind.value, {}).get("people", 0),
        }
        for kind in TrainingSession.Kind
    ]
    return {
        "year": year,
        "sessions": sum(k["sessions"] for k in kinds),
        "attendees": sum(k["attendees"] for k in kinds),
        "planned": planned,
        "kinds": kinds,
    }


def training_years(customer_id: int) -> list[int]:
    """The years in which the customer had a session held, latest first."""
    days = TrainingSession.objects.filter(
        contract__customer_id=customer_id, state=TrainingSession.State.HELD
    ).dates("starts_at", "year", order="DESC")
    return [day.year for day in days]
