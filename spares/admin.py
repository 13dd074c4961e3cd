"""Admin: managers count and correct the stock here; parts and substitute devices on tickets
are read here (they change through the ticket pages and the API, which move the stock and
keep the clocks)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
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


@admin.register(PartUse)
class PartUseAdmin(ReadOnlyAdmin, TicketScopedAdmin):
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
class SubstituteAdmin(ReadOnlyAdmin, TicketScopedAdmin):
    list_display = ["ticket", "device", "serial_number", "location", "installed_at", "returned_at"]
    search_fields = ["ticket__number", "device", "serial_number"]
    list_select_related = ["ticket"]
