"""Admin: planned downtime, upgrades, versions and software notices are read here; they are
written on their pages (or the API), which tell the customer's people and keep the steps
in order."""

from django.contrib import admin

from maintenance.models import (
    DowntimeWindow,
    InstalledVersion,
    SoftwareNotice,
    Upgrade,
    UpgradeStep,
)


@admin.register(DowntimeWindow)
class DowntimeWindowAdmin(admin.ModelAdmin):
    list_display = ["site", "customer", "starts_at", "ends_at", "state", "version"]
    list_filter = ["state"]
    search_fields = ["site__name", "customer__name", "reason"]
    list_select_related = ["site", "customer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = UpgradeStep
    extra = 0
    can_delete = False
    fields = ["attempt", "step", "done_at", "done_by", "note"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Upgrade)
class UpgradeAdmin(_ReadOnly):
    list_display = ["item", "from_version", "to_version", "state", "attempt", "engineer"]
    list_filter = ["state"]
    search_fields = ["item__name", "item__serial_number", "to_version"]
    list_select_related = ["item", "engineer"]
    inlines = [StepInline]


@admin.register(InstalledVersion)
class InstalledVersionAdmin(_ReadOnly):
    list_display = ["item", "version", "installed_at", "installed_by"]
    search_fields = ["item__name", "item__serial_number", "version"]
    list_select_related = ["item", "installed_by"]


@admin.register(SoftwareNotice)
class SoftwareNoticeAdmin(_ReadOnly):
    list_display = ["title", "kind", "product", "versions", "published_at"]
    list_filter = ["kind"]
    search_fields = ["title", "product"]
