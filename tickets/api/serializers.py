from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import customer_id_of, role_of
from contracts.models import Contact, Contract, CoveredItem, Customer, Site
from contracts.selectors import contracts_visible_to, customers_visible_to
from tickets.clock_reading import (
    STATUS_OF_OUTCOME,
    clock_explain,
    clock_paused_seconds,
    clock_status_now,
)
from tickets.clocks import schedules_kept
from tickets.models import (
    Attachment,
    Channel,
    CheckIn,
    Comment,
    EscalationStep,
    Kind,
    Notification,
    Outcome,
    SlaClock,
    Ticket,
    TicketEvent,
    clock_outcome,
)
from tickets.selectors import FILE_SOURCES
from tickets.services.transitions import REPORT_FIELDS, transitions_available

# What ModelSerializer declares for every DateTimeField of the models below (the format and
# zone are read from the settings and the active zone when a value is written). Built once:
# building a ModelSerializer's fields to reach one of them cost a few milliseconds a request.
_MOMENT_FIELD = serializers.DateTimeField(read_only=True)


def _moment(value):
    """A moment as DRF writes it (ISO 8601 in the active time zone), None kept: for the
    serializers that write their fields out directly."""
    return None if value is None else _MOMENT_FIELD.to_representation(value)


class ClockSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    paused_seconds = serializers.SerializerMethodField()
    budget_minutes = serializers.SerializerMethodField()
    calendar = serializers.SerializerMethodField()
    provisional = serializers.SerializerMethodField(
        help_text="The deadline read a year whose holidays are not confirmed yet: it may move."
    )
    unconfirmed_years = serializers.SerializerMethodField()

    class Meta:
        model = SlaClock
        fields = [
            "kind",
            "target_at",
            "status",
            "outcome",
            "at_risk_at",
            "paused_seconds",
            "stopped_at",
            "breached_at",
            "warned_at",
            "started_at",
            "budget_minutes",
            "calendar",
            "provisional",
            "unconfirmed_years",
        ]

    def _now(self):
        return self.context.setdefault("now", timezone.now())

    def to_representation(self, clock) -> dict:
        """The fields above, written out directly: a list page has three clocks per ticket,
        and DRF's field-by-field walk cost more than the rest of the page. Same values and
        order as the declared fields (the schema is generated from those)."""
        now = self._now()
        outcome = clock_outcome(clock, now)
        provisional = clock.provisional
        moment = _moment
        return {
            "kind": clock.kind,
            "target_at": moment(clock.target_at),
            "status": STATUS_OF_OUTCOME[outcome],
            "outcome": outcome,
            "at_risk_at": moment(clock.at_risk_at),
            "paused_seconds": clock_paused_seconds(clock, now=now),
            "stopped_at": moment(clock.stopped_at),
            "breached_at": moment(clock.breached_at),
            "warned_at": moment(clock.warned_at),
            "started_at": moment(clock.started_at),
            "budget_minutes": clock.budget_seconds // 60,
            "calendar": clock.calendar.name if clock.calendar_id else None,
            "provisional": provisional,
            "unconfirmed_years": list(clock.unconfirmed_years) if provisional else [],
        }

    def get_status(self, clock) -> str:
        return clock_status_now(clock, now=self._now())

    @extend_schema_field(serializers.ChoiceField(choices=Outcome.choices))
    def get_outcome(self, clock) -> str:
        """Met, breached, at risk, running, paused or not needed now (docs/SLA.md)."""
        return clock_outcome(clock, self._now())

    def get_paused_seconds(self, clock) -> int:
        return clock_paused_seconds(clock, now=self._now())

    def get_budget_minutes(self, clock) -> int:
        return clock.budget_seconds // 60

    def get_calendar(self, clock) -> str | None:
        return clock.calendar.name if clock.calendar_id else None

    def get_provisional(self, clock) -> bool:
        return clock.provisional

    def get_unconfirmed_years(self, clock) -> list[int]:
        return list(clock.unconfirmed_years) if clock.provisional else []


class ExplainedClockSerializer(ClockSerializer):
    explanation = serializers.SerializerMethodField()

    class Meta(ClockSerializer.Meta):
        fields = [*ClockSerializer.Meta.fields, "explanation"]

    def to_representation(self, clock) -> dict:
        return {**super().to_representation(clock), "explanation": self.get_explanation(clock)}

    def get_explanation(self, clock) -> dict:
        schedules = self.context.setdefault("schedules", schedules_kept())
        return clock_explain(clock, schedules=schedules)


class FaultReportField(serializers.Serializer):
    symptoms = serializers.CharField(allow_blank=True)
    analysis = serializers.CharField(allow_blank=True)
    cause = serializers.CharField(allow_blank=True)
    solution = serializers.CharField(allow_blank=True)
    prevention = serializers.CharField(allow_blank=True)


class TicketSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True, default=None)
    engineer = serializers.PrimaryKeyRelatedField(
        source="assigned_engineer", read_only=True, allow_null=True
    )
    clocks = ClockSerializer(many=True, read_only=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "kind",
            "priority",
            "channel",
            "state",
            "covered",
            "phase",
            "customer",
            "customer_name",
            "contact",
            "site",
            "contract",
            "contract_number",
            "covered_item",
            "branch",
            "engineer",
            "summary",
            "description",
            "reported_at",
            "acknowledged_at",
            "dispatched_at",
            "departed_at",
            "on_site_at",
            "resolved_at",
            "closed_at",
            "confirmed_by_customer",
            "clocks",
            "available_transitions",
            "created_at",
        ]

    def to_representation(self, ticket) -> dict:
        """The fields above, written out directly as the clocks' are: a list page has fifty
        tickets, and DRF's field-by-field walk cost more than the rest of the page. Same
        values and order as the declared fields (the schema is generated from those;
        tests/tickets/test_api_representation.py compares both)."""
        moment = _moment
        clock = self._clock_writer
        contract = ticket.contract if ticket.contract_id else None
        return {
            "id": ticket.pk,
            "number": ticket.number,
            "kind": ticket.kind,
            "priority": ticket.priority,
            "channel": ticket.channel,
            "state": ticket.state,
            "covered": ticket.covered,
            "phase": ticket.phase,
            "customer": ticket.customer_id,
            "customer_name": ticket.customer.name,
            "contact": ticket.contact_id,
            "site": ticket.site_id,
            "contract": ticket.contract_id,
            "contract_number": contract.number if contract else None,
            "covered_item": ticket.covered_item_id,
            "branch": ticket.branch_id,
            "engineer": ticket.assigned_engineer_id,
            "summary": ticket.summary,
            "description": ticket.description,
            "reported_at": moment(ticket.reported_at),
            "acknowledged_at": moment(ticket.acknowledged_at),
            "dispatched_at": moment(ticket.dispatched_at),
            "departed_at": moment(ticket.departed_at),
            "on_site_at": moment(ticket.on_site_at),
            "resolved_at": moment(ticket.resolved_at),
            "closed_at": moment(ticket.closed_at),
            "confirmed_by_customer": ticket.confirmed_by_customer,
            "clocks": [clock.to_representation(c) for c in ticket.clocks.all()],
            "available_transitions": self.get_available_transitions(ticket),
            "created_at": moment(ticket.created_at),
        }

    @cached_property
    def _clock_writer(self) -> ClockSerializer:
        """The serializer declared for `clocks`, without building every declared field."""
        return type(self._declared_fields["clocks"].child)(context=self.context)

    def get_available_transitions(self, ticket) -> list[str]:
        return transitions_available(ticket, self.context["request"].user)


class CheckInSerializer(serializers.ModelSerializer):
    """An arrival on site as recorded; the photo through the guarded download view."""

    accuracy = serializers.IntegerField(source="accuracy_m", read_only=True, allow_null=True)
    photo = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = ["at", "latitude", "longitude", "accuracy", "photo"]

    def get_photo(self, check_in) -> str | None:
        if not check_in.photo:
            return None
        request = self.context.get("request")
        customers_may_read = FILE_SOURCES["check-in"][2]
        customer = request is not None and role_of(request.user) == Role.CUSTOMER
        if customer and not customers_may_read:
            return None
        return reverse("download", args=["check-in", check_in.pk])


class TicketDetailSerializer(TicketSerializer):
    clocks = ExplainedClockSerializer(many=True, read_only=True)
    terms_applied = serializers.JSONField(read_only=True)
    fault_report = serializers.SerializerMethodField()
    check_ins = CheckInSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "terms_applied", "fault_report", "check_ins"]

    def to_representation(self, ticket) -> dict:
        return {
            **super().to_representation(ticket),
            "terms_applied": ticket.terms_applied,
            "fault_report": self.get_fault_report(ticket),
            "check_ins": [
                self._check_in_writer.to_representation(check_in)
                for check_in in ticket.check_ins.all()
            ],
        }

    @cached_property
    def _check_in_writer(self) -> CheckInSerializer:
        return CheckInSerializer(context=self.context)

    def get_fault_report(self, ticket) -> dict | None:
        report = getattr(ticket, "fault_report", None)
        return {f: getattr(report, f) for f in REPORT_FIELDS} if report else None


class TicketCreateSerializer(serializers.Serializer):
    """Input of POST /api/tickets/: give the contract or the customer; the rest is resolved."""

    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, allow_null=True
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True
    )
    covered_item = serializers.PrimaryKeyRelatedField(
        queryset=CoveredItem.objects.all(), required=False, allow_null=True
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.FAULT)
    priority = serializers.ChoiceField(choices=Ticket._meta.get_field("priority").choices)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    summary = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reported_at = serializers.DateTimeField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request.user
            # A customer may only name their own organisation's things; others
            # look like they do not exist.
            self.fields["contract"].queryset = contracts_visible_to(user, Contract.objects.all())
            customers = customers_visible_to(user, Customer.objects.all())
            self.fields["customer"].queryset = customers
            self.fields["site"].queryset = Site.objects.filter(customer__in=customers)
            self.fields["covered_item"].queryset = CoveredItem.objects.filter(
                customer__in=customers
            )
            self.fields["contact"].queryset = Contact.objects.filter(customer__in=customers)

    def validate(self, attrs):
        request = self.context["request"]
        if role_of(request.user) == Role.CUSTOMER:
            if customer_id_of(request.user) is None:
                raise PermissionDenied(_("This login is not linked to a customer contact."))
            if attrs.get("reported_at"):
                raise serializers.ValidationError(
                    {"reported_at": _("Only the hotline can set when a call came in.")}
                )
            attrs["customer"] = request.user.contact.customer
            attrs.setdefault("contact", request.user.contact)
        if not attrs.get("contract") and not attrs.get("customer") and not attrs.get("site"):
            raise serializers.ValidationError({"customer": _("Give the customer or the contract.")})
        return attrs


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReasonSerializer(serializers.Serializer):
    """Cancel, close and reject: the reason is required and goes into the history."""

    note = serializers.CharField(
        max_length=2000,
        help_text=_("Why: recorded as the step's note in the ticket's history."),
    )


class DispatchSerializer(NoteSerializer):
    engineer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


@extend_schema_field(OpenApiTypes.NUMBER)
class _NumberText(serializers.CharField):
    """A number as the browser gives it; the check-in service parses and checks it."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, allow_null=True, default=None, **kwargs)


@extend_schema_field(OpenApiTypes.BINARY)
class _Upload(serializers.FileField):
    """A file sent as multipart form data; its checks are the service's."""


class CheckInInputSerializer(NoteSerializer):
    """Arrival on site, as the engineer's page sends it: where the device says, and a photo.

    Values are checked by the same service as the page (tickets/work_services.py), with the
    same messages: latitude within ±90, longitude within ±180, the photo a real
    image within the upload limit.
    """

    latitude = _NumberText(help_text=_("Degrees, WGS 84, within ±90."))
    longitude = _NumberText(help_text=_("Degrees, WGS 84, within ±180."))
    accuracy = _NumberText(help_text=_("Metres, as the device reports it."))
    photo = _Upload(required=False, allow_null=True, default=None)


class ResolveSerializer(NoteSerializer):
    symptoms = serializers.CharField(required=False, allow_blank=True, default="")
    analysis = serializers.CharField(required=False, allow_blank=True, default="")
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    solution = serializers.CharField(required=False, allow_blank=True, default="")
    prevention = serializers.CharField(required=False, allow_blank=True, default="")


class PrioritySerializer(NoteSerializer):
    priority = serializers.ChoiceField(choices=Ticket._meta.get_field("priority").choices)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    note = serializers.CharField(
        source="display_note", read_only=True, help_text="In the caller's language."
    )

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "at", "actor", "from_state", "to_state", "note", "data"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(
        source="author.username",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The author's user name; null for a reply by e-mail from someone without "
        "a login (see from_address).",
    )
    from_address = serializers.CharField(
        read_only=True, help_text="The sender's address when the reply came by e-mail."
    )

    class Meta:
        model = Comment
        fields = ["id", "author", "from_address", "body", "internal", "created_at"]
        read_only_fields = ["id", "author", "from_address", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    """Files go out through the guarded download view, never a public media URL."""

    url = serializers.SerializerMethodField()
    # Long names are shortened by ticket_attach (core/uploads.py), not refused.
    file = serializers.FileField(write_only=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    class Meta:
        model = Attachment
        fields = ["id", "name", "file", "url", "uploaded_by", "created_at"]
        read_only_fields = ["id", "uploaded_by", "created_at"]
        extra_kwargs = {"name": {"required": False}, "file": {"write_only": True}}

    def get_url(self, attachment) -> str:
        from django.urls import reverse

        return reverse("download", args=["attachment", attachment.pk])


class EscalationSerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    clock = serializers.CharField(source="clock.kind", read_only=True)
    lateness_seconds = serializers.FloatField(
        read_only=True, help_text="Seconds from due_at to fired_at: how late the sweep recorded it."
    )

    class Meta:
        model = EscalationStep
        fields = [
            "id",
            "ticket",
            "ticket_number",
            "clock",
            "kind",
            "tier",
            "due_at",
            "fired_at",
            "lateness_seconds",
            "superseded",
            "acknowledged_at",
            "acknowledged_by",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    # In the reader's language: the stored message rendered for this request.
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)
    # A warning whose clock stopped or whose ticket is finished (tickets.selectors).
    withdrawn = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Notification
        fields = ["id", "ticket", "step", "title", "body", "withdrawn", "read_at", "created_at"]
