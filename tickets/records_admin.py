"""Admin: the records a ticket's own steps write (a complaint's answer, a change request's
sign-offs, a trial-phase answer), to read. They change only through their services, which
keep the clocks and the history in step; the admin shows a staff member only the rows of
tickets they may see (TicketScopedAdmin)."""

from django.contrib import admin

from tickets.admin import TicketScopedAdmin
from tickets.models import ChangeApproval, ComplaintAnswer, TrialAnswer


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
