"""Admin: managers set each contract's penalty terms here; the ledger is read here (its lines
are written by the penalty run and the third-party repair form, never by hand)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from deductions.models import Deduction, PenaltyPlan, PenaltyRule, ThirdPartyRepair


class RuleInline(admin.TabularInline):
    model = PenaltyRule
    extra = 0
    fields = ["clock_kind", "method", "amount", "share_percent"]


@admin.register(PenaltyPlan)
class PenaltyPlanAdmin(admin.ModelAdmin):
    list_display = ["contract", "contract_value", "cap"]
    search_fields = ["contract__number", "contract__customer__name"]
    autocomplete_fields = ["contract"]
    inlines = [RuleInline]


@admin.register(Deduction)
class DeductionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["contract", "kind", "ticket", "occurred_at", "amount", "uncapped"]
    list_filter = ["kind"]
    search_fields = ["contract__number", "ticket__number"]
    list_select_related = ["contract", "ticket"]


@admin.register(ThirdPartyRepair)
class ThirdPartyRepairAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["ticket", "company", "cost", "repaired_on", "recorded_by"]
    search_fields = ["ticket__number", "company"]
    list_select_related = ["ticket", "recorded_by"]
