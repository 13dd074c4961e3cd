"""The spares as the API shows them; input is checked again by the services (spares.services)."""

from rest_framework import serializers

from spares.models import PartUse, StockItem, Substitute


class StockItemSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reorder_level = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    class Meta:
        model = StockItem
        fields = [
            "id",
            "branch",
            "branch_name",
            "name",
            "model",
            "serial_number",
            "quantity",
            "location",
            "reorder_level",
        ]
        read_only_fields = ["id", "branch_name"]
        # The services decide about duplicates and tracked units (400 with the field).
        validators = []


class PartUseSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.number", read_only=True)
    part = serializers.CharField(source="stock_item.__str__", read_only=True)
    branch_name = serializers.CharField(source="stock_item.branch.name", read_only=True)
    taken_by = serializers.CharField(source="taken_by.username", read_only=True)
    settled_by = serializers.CharField(source="settled_by.username", read_only=True, default=None)

    class Meta:
        model = PartUse
        fields = [
            "id",
            "ticket",
            "stock_item",
            "part",
            "branch_name",
            "quantity",
            "used_quantity",
            "state",
            "taken_by",
            "taken_at",
            "settled_by",
            "settled_at",
            "covered_item",
            "note",
        ]
        read_only_fields = fields


class PartTakeSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text="The ticket's number, e.g. 2026-000123.")
    stock_item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, default=1)


class PartSettleSerializer(serializers.Serializer):
    used = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, help_text="Blank: all the parts taken."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SubstituteSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(
        source="ticket.number", help_text="The ticket's number, e.g. 2026-000123."
    )
    installed_by = serializers.CharField(source="installed_by.username", read_only=True)
    returned_by = serializers.CharField(source="returned_by.username", read_only=True, default=None)

    class Meta:
        model = Substitute
        fields = [
            "id",
            "ticket",
            "device",
            "model",
            "serial_number",
            "location",
            "installed_at",
            "installed_by",
            "returned_at",
            "returned_by",
        ]
        read_only_fields = ["id", "installed_at", "installed_by", "returned_at", "returned_by"]
