from django.utils import timezone
from rest_framework import serializers

from contracts.models import Contract, CoveredItem, Customer, ServiceTerms, Site


class TermsSerializer(serializers.ModelSerializer):
    response_calendar = serializers.CharField(source="response_calendar.name")
    onsite_calendar = serializers.CharField(source="onsite_calendar.name")
    resolution_calendar = serializers.CharField(source="resolution_calendar.name")

    class Meta:
        model = ServiceTerms
        fields = [
            "phase",
            "priority",
            "response_minutes",
            "onsite_minutes",
            "resolution_minutes",
            "repair_days",
            "pause_on_customer",
            "response_calendar",
            "onsite_calendar",
            "resolution_calendar",
        ]


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "address", "region", "branch"]


class CoveredItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoveredItem
        fields = ["id", "name", "kind", "model", "serial_number", "site"]


class CustomerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "short_name"]


class ContractSerializer(serializers.ModelSerializer):
    """A contract with its phase now and the terms in force in that phase."""

    customer = CustomerBriefSerializer(read_only=True)
    phase = serializers.SerializerMethodField()
    warranty_start = serializers.DateField(read_only=True, allow_null=True)
    warranty_end = serializers.DateField(read_only=True, allow_null=True)
    terms = serializers.SerializerMethodField()
    sites = SiteSerializer(many=True, read_only=True)
    covered_items = CoveredItemSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "title",
            "customer",
            "phase",
            "signed_on",
            "final_acceptance_on",
            "warranty_months",
            "warranty_start",
            "warranty_end",
            "after_warranty",
            "maintenance_ends_on",
            "substitute_device_hours",
            "complaint_answer_hours",
            "trial_small_fix_hours",
            "trial_large_fix_hours",
            "terms",
            "sites",
            "covered_items",
        ]

    def _now(self):
        return self.context.get("now") or timezone.now()

    def get_phase(self, contract: Contract) -> str:
        return contract.phase_at(self._now()).value

    def get_terms(self, contract: Contract) -> list[dict]:
        phase = contract.phase_at(self._now())
        in_force = [t for t in contract.terms.all() if t.phase == phase]
        return TermsSerializer(sorted(in_force, key=lambda t: t.priority), many=True).data
