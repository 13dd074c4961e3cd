"""Admin: tickets are read here and change through their workflow; the ladder is edited here."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tickets.clock_reading import clock_explain
from tickets.clocks import schedules_kept
from tickets.models import (
    ChangeApproval,
    ClockPause,
    ComplaintAnswer,
    EscalationRule,
    EscalationStep,
    Notification,
    Outcome,
    SlaClock,
    Ticket,
    TicketEvent,
    TrialAnswer,
    clock_outcome,
)
from tickets.selectors import ticket_records_visible_to, tickets_visible_to


class TicketScopedAdmin(admin.ModelAdmin):
    """Shows a staff member only the rows of tickets the pages and the API show them
    (tickets/selectors.py): an engineer sees their own and their branch's, here too."""

    ticket_field = "ticket"
    ticket_optional = False

    def get_queryset(self, request):
        return ticket_records_visible_to(
            request.user,
            super().get_queryset(request),
            ticket_field=self.ticket_field,
            unlinked=self.ticket_optional,
        )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClockInline(ReadOnlyInline):
    model = SlaClock
    fields = [
        "kind",
        "outcome_now",
        "status",
        "started_at",
        "target_at",
        "stopped_at",
        "warned_at",
        "breached_at",
        "next_step_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("outcome now"))
    def outcome_now(self, obj: SlaClock) -> str:
        return Outcome(clock_outcome(obj, timezone.now())).label


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["at", "kind", "actor", "from_state", "to_state", "note"]
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: every change of a ticket goes through its workflow, which records it."""

    list_display = [
        "number",
        "summary",
        "customer",
        "kind",
        "priority",
        "state",
        "covered",
        "assigned_engineer",
        "reported_at",
    ]
    list_filter = ["state", "priority", "kind", "covered", "channel", "branch"]
    search_fields = ["number", "summary", "customer__name", "contract__number"]
    list_select_related = ["customer", "assigned_engineer"]
    date_hierarchy = "reported_at"
    inlines = [ClockInline, EventInline]
    readonly_fields = ["clock_explanations"]

    @admin.display(description=_("why each deadline is what it is"))
    def clock_explanations(self, obj: Ticket):
        schedules = schedules_kept()
        rows = [
            format_html(
                "<p><strong>{}</strong></p><ul>{}</ul>",
                SlaClock.Kind(clock.kind).label,
                format_html_join("", "<li>{}</li>", ((line,) for line in explained["text"])),
            )
            for clock in obj.clocks.select_related("calendar", "ticket")
            for explained in [clock_explain(clock, schedules=schedules)]
        ]
        return format_html_join("", "{}", ((row,) for row in rows)) or "-"

    def get_queryset(self, request):
        return tickets_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "clock_kind",
        "kind",
        "percent",
        "extra_minutes",
        "tier",
        "is_active",
    ]
    list_editable = ["is_active"]
    list_filter = ["kind", "tier", "clock_kind", "is_active"]


@admin.register(EscalationStep)
class EscalationStepAdmin(TicketScopedAdmin):
    list_display = [
        "ticket",
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
    list_filter = ["kind", "tier", "superseded", ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "clock", "acknowledged_by"]

    @admin.display(description=_("lateness (s)"), ordering="lateness")
    def lateness_seconds(self, step):
        return step.lateness_seconds

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(TicketScopedAdmin):
    ticket_optional = True

    list_display = ["title", "user", "created_at", "read_at", "emailed_at"]
    list_filter = [
        ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "user__username"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClockPause)
class ClockPauseAdmin(TicketScopedAdmin):
    ticket_field = "clock__ticket"

    list_display = ["clock", "started_at", "ended_at", "reason"]
    list_select_related = ["clock"]
    verbose_name = _("clock pause")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The records a ticket's own steps write (a complaint's answer, a change request's sign-offs,
# a trial-phase answer), to read: they change only through their services, which keep the
# clocks and the history in step.


class RecordAdmin(TicketScopedAdmin):
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrialAnswer)
class TrialAnswerAdmin(RecordAdmin):
    list_display = ["ticket", "size", "fix_due_at", "answered_at", "deployed_at"]
    list_filter = ["size"]


@admin.register(ComplaintAnswer)
class ComplaintAnswerAdmin(RecordAdmin):
    list_display = ["ticket", "justified", "answered_by", "answered_at"]
    list_filter = ["justified"]


@admin.register(ChangeApproval)
class ChangeApprovalAdmin(RecordAdmin):
    list_display = ["ticket", "signed_at", "evaluated_at", "accepted_at"]


# The chat-group robots' admin lives beside their delivery.
from tickets import chat_admin  # noqa: E402, F401
