from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contact, Contract, Customer
from contracts.models.contracts import Priority
from core.inputs import as_id
from tickets.models import Kind


class MailTicketForm(forms.Form):
    """An agent makes a ticket of a mail the rules could not place."""

    customer = forms.ModelChoiceField(Customer.objects.all(), label=_("customer"), required=False)
    contact = forms.ModelChoiceField(Contact.objects.none(), label=_("contact"), required=False)
    contract = forms.ModelChoiceField(
        Contract.objects.none(),
        label=_("contract"),
        required=False,
        help_text=_("Only when several of the customer's contracts cover the request."),
    )
    kind = forms.ChoiceField(choices=Kind.choices, label=_("kind"), initial=Kind.FAULT)
    priority = forms.ChoiceField(choices=Priority.choices, label=_("priority"), initial="P3")
    summary = forms.CharField(label=_("summary"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer = self.initial.get("customer")
        if self.is_bound:
            customer = as_id(self.data.get("customer"))
        elif customer is not None:
            customer = getattr(customer, "pk", customer)
        contacts = Contact.objects.select_related("customer")
        if customer:
            contacts = contacts.filter(customer_id=customer)
        self.fields["contact"].queryset = contacts
        contracts = Contract.objects.select_related("customer")
        self.fields["contract"].queryset = (
            contracts.filter(customer_id=customer) if customer else contracts
        )
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} · {c.customer.name}"
        self.fields["contact"].label_from_instance = lambda c: f"{c.name} · {c.customer.name}"

    def clean(self):
        data = super().clean()
        contact, customer = data.get("contact"), data.get("customer")
        if contact and customer and contact.customer_id != customer.pk:
            self.add_error("contact", _("This contact belongs to another customer."))
        elif customer is None and contact is None and not self.has_error("customer"):
            self.add_error("customer", _("Choose the customer, or one of its contacts."))
        elif customer is None and contact is not None:
            data["customer"] = contact.customer
        contract = data.get("contract")
        if contract and data.get("customer") and contract.customer_id != data["customer"].pk:
            self.add_error("contract", _("This contract belongs to another customer."))
        return data


class MailReplyForm(forms.Form):
    ticket = forms.CharField(
        label=_("ticket number"), max_length=20, help_text=_("For example 2026-000123.")
    )
