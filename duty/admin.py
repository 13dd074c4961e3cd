"""Admin: events are read here (managers) and kept by superusers; they are planned on the
roster page, whose service checks the branch."""

from django.contrib import admin

from duty.models import DutyEvent


@admin.register(DutyEvent)
class DutyEventAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "starts_at", "ends_at", "site"]
    list_filter = ["branch"]
    search_fields = ["name", "site__name"]
    list_select_related = ["branch", "site"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["site", "created_by"]
