import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tickets.models import Kind, SlaClock, State, Ticket

# Strict yes/no, so "?breached=maybe" is a 400 rather than silently ignored.
YES_NO = [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")]


def _yes(value: str) -> bool:
    return value in ("true", "1")


class TicketFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    priority = django_filters.MultipleChoiceFilter(
        choices=Ticket._meta.get_field("priority").choices
    )
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    customer = django_filters.NumberFilter(field_name="customer_id")
    contract = django_filters.NumberFilter(field_name="contract_id")
    branch = django_filters.NumberFilter(field_name="branch_id")
    engineer = django_filters.NumberFilter(field_name="assigned_engineer_id")
    covered = django_filters.BooleanFilter()
    at_risk = django_filters.ChoiceFilter(choices=YES_NO, method="filter_at_risk")
    breached = django_filters.ChoiceFilter(choices=YES_NO, method="filter_breached")

    class Meta:
        model = Ticket
        fields = []

    def filter_at_risk(self, queryset, name, value):
        """A running clock past its first warning threshold but not yet past its target."""
        now = timezone.now()
        at_risk = SlaClock.objects.filter(
            ticket=OuterRef("pk"),
            status=SlaClock.Status.RUNNING,
            at_risk_at__lte=now,
            target_at__gt=now,
        )
        return (
            queryset.filter(Exists(at_risk)) if _yes(value) else queryset.exclude(Exists(at_risk))
        )

    def filter_breached(self, queryset, name, value):
        """A clock breached, or still running past its target (the sweep may not have run yet)."""
        now = timezone.now()
        breached = SlaClock.objects.filter(ticket=OuterRef("pk")).filter(
            Q(breached_at__isnull=False) | Q(status=SlaClock.Status.RUNNING, target_at__lte=now)
        )
        if _yes(value):
            return queryset.filter(Exists(breached))
        return queryset.exclude(Exists(breached))
