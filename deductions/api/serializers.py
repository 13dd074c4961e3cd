from rest_framework import serializers

from deductions.models import Deduction, ThirdPartyRepair


class DeductionSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.number", read_only=True)
    ticket = serializers.CharField(source="ticket.number", read_only=True)
    clock_kind = serializers.CharField(source="clock.kind", read_only=True, default=None)
    repair = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Deduction
        fields = [
            "id",
            "contract",
            "ticket",
            "kind",
            "clock_kind",
            "repair",
            "occurred_at",
            "amount",
            "uncapped",
        ]
        read_only_fields = fields


class ThirdPartyRepairSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(
        source="ticket.number", help_text="The late ticket's number, e.g. 2026-000123."
    )
    invoice = serializers.FileField(required=False, allow_null=True, write_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    has_invoice = serializers.SerializerMethodField()

    class Meta:
        model = ThirdPartyRepair
        fields = [
            "id",
            "ticket",
            "company",
            "cost",
            "repaired_on",
            "invoice",
            "has_invoice",
            "note",
            "recorded_by",
        ]
        read_only_fields = ["id", "recorded_by", "has_invoice"]

    def get_has_invoice(self, repair) -> bool:
        return bool(repair.invoice)
