from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract


class ContractForm(forms.ModelForm):
    """Contract form used by the admin: sites and items must be the customer's own."""

    class Meta:
        model = Contract
        fields = [
            "number",
            "title",
            "customer",
            "template",
            "signed_on",
            "final_acceptance_on",
            "warranty_months",
            "after_warranty",
            "maintenance_ends_on",
            "sites",
            "covered_items",
            "substitute_device_hours",
            "complaint_answer_hours",
            "trial_small_fix_hours",
            "trial_large_fix_hours",
            "branch",
            "service_manager",
            "compliance_target_percent",
            "compliance_warn_below_percent",
        ]

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer")
        if customer is None:
            return cleaned
        foreign_sites = [s for s in cleaned.get("sites") or [] if s.customer_id != customer.pk]
        if foreign_sites:
            self.add_error(
                "sites",
                _("These sites belong to another customer: %(names)s")
                % {"names": ", ".join(s.name for s in foreign_sites)},
            )
        foreign_items = [
            i for i in cleaned.get("covered_items") or [] if i.customer_id != customer.pk
        ]
        if foreign_items:
            self.add_error(
                "covered_items",
                _("These items belong to another customer: %(names)s")
                % {"names": ", ".join(str(i) for i in foreign_items)},
            )
        return cleaned
