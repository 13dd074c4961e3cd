import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tickets.models import Kind, Outcome, SlaClock, State, Ticket
from tickets.models.clocks import ticket_breached_q

# Strict yes/no, so "?breached=maybe" is a 400 rather than silently ignored.
YES_NO = [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")]


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole-number id: "?customer=1.5" or "?customer=x" is a 400, and the schema says integer."""

    field_class = forms.IntegerField


def _yes(value: str) -> bool:
    return value in ("true", "1")


class TicketFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    priority = django_filters.MultipleChoiceFilter(
        choices=Ticket._meta.get_field("priority").choices
    )
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    customer = IdFilter(field_name="customer_id")
    contract = IdFilter(field_name="contract_id")
    branch = IdFilter(field_name="branch_id")
    engineer = IdFilter(field_name="assigned_engineer_id")
    covered = django_filters.BooleanFilter()
    at_risk = django_filters.ChoiceFilter(choices=YES_NO, method="filter_at_risk")
    breached = django_filters.ChoiceFilter(choices=YES_NO, method="filter_breached")

    class Meta:
        model = Ticket
        fields = []

    def _by_outcome(self, queryset, outcome: str, value: str):
        """Tickets with (or without) a clock of this outcome now (tickets.models.clocks)."""
        clocks = SlaClock.objects.filter(ticket=OuterRef("pk")).by_outcome(outcome, timezone.now())
        return queryset.filter(Exists(clocks)) if _yes(value) else queryset.exclude(Exists(clocks))

    def filter_at_risk(self, queryset, name, value):
        """A clock past its first warning, not yet past its target."""
        return self._by_outcome(queryset, Outcome.AT_RISK, value)

    def filter_breached(self, queryset, name, value):
        """A clock breached, or still running past its target (the sweep may not have run yet):
        the ticket's stored first breach, the same answer as its clocks' (ticket_breached_q)."""
        breached = ticket_breached_q(timezone.now())
        return queryset.filter(breached) if _yes(value) else queryset.exclude(breached)
