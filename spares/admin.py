"""Admin: managers count and correct the stock here; parts and substitute devices on tickets
are read here (they change through the ticket pages and the API, which move the stock and
keep the clocks)."""

from django.contrib import admin

from spares.models import PartUse, StockItem, Substitute
from tickets.admin import TicketScopedAdmin


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "model",
        "serial_number",
        "branch",
        "quantity",
        "reorder_level",
        "location",
    ]
    list_filter = ["branch"]
    search_fields = ["name", "model", "serial_number", "location"]
    list_select_related = ["branch"]


class _ReadOnly(TicketScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartUse)
class PartUseAdmin(_ReadOnly):
    list_display = [
        "ticket",
        "stock_item",
        "quantity",
        "used_quantity",
        "state",
        "taken_by",
        "taken_at",
    ]
    list_filter = ["state"]
    search_fields = ["ticket__number", "stock_item__name", "stock_item__serial_number"]
    list_select_related = ["ticket", "stock_item", "taken_by"]


@admin.register(Substitute)
class SubstituteAdmin(_ReadOnly):
    list_display = ["ticket", "device", "serial_number", "location", "installed_at", "returned_at"]
    search_fields = ["ticket__number", "device", "serial_number"]
    list_select_related = ["ticket"]
