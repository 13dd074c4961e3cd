"""Admin: planned downtime, upgrades, versions and software notices are read here; they are
written on their pages (or the API), which tell the customer's people and keep the steps
in order."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from maintenance.models import (
    DowntimeWindow,
    InstalledVersion,
    SoftwareNotice,
    Upgrade,
    UpgradeStep,
)
from tickets.admin import ReadOnlyInline


@admin.register(DowntimeWindow)
class DowntimeWindowAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["site", "customer", "starts_at", "ends_at", "state", "version"]
    list_filter = ["state"]
    search_fields = ["site__name", "customer__name", "reason"]
    list_select_related = ["site", "customer"]


class StepInline(ReadOnlyInline):
    model = UpgradeStep
    fields = ["attempt", "step", "done_at", "done_by", "note"]


@admin.register(Upgrade)
class UpgradeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["item", "from_version", "to_version", "state", "attempt", "engineer"]
    list_filter = ["state"]
    search_fields = ["item__name", "item__serial_number", "to_version"]
    list_select_related = ["item", "engineer"]
    inlines = [StepInline]


@admin.register(InstalledVersion)
class InstalledVersionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["item", "version", "installed_at", "installed_by"]
    search_fields = ["item__name", "item__serial_number", "version"]
    list_select_related = ["item", "installed_by"]


@admin.register(SoftwareNotice)
class SoftwareNoticeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "product", "versions", "published_at"]
    list_filter = ["kind"]
    search_fields = ["title", "product"]
