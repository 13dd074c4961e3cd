"""Admin: planned downtime is read here; it is planned, changed and cancelled on its pages
(or the API), which tell the customer's people each time."""

from django.contrib import admin

from maintenance.models import DowntimeWindow


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
