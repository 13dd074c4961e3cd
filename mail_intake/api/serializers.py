from django.utils.translation import gettext as _
from rest_framework import serializers

from contracts.models import Contact, Contract, Customer
from contracts.models.contracts import Priority
from mail_intake.models import InboundMail
from tickets.models import Kind


class InboundMailSerializer(serializers.ModelSerializer):
    mailbox = serializers.CharField(source="mailbox.name", read_only=True)
    ticket = serializers.CharField(
        source="ticket.number", read_only=True, allow_null=True, default=None
    )
    handled_by = serializers.CharField(
        source="handled_by.username", read_only=True, allow_null=True, default=None
    )
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    reason = serializers.CharField(
        source="display_reason", read_only=True, help_text="In the caller's language."
    )

    class Meta:
        model = InboundMail
        fields = [
            "id",
            "mailbox",
            "message_id",
            "from_address",
            "from_name",
            "subject",
            "body",
            "received_at",
            "attachment_count",
            "outcome",
            "outcome_label",
            "reason",
            "ticket",
            "handled_by",
            "handled_at",
        ]
        read_only_fields = fields


class MailTicketInputSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only when several of the customer's contracts cover the request.",
    )
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.FAULT)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P3)
    summary = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data):
        customer, contact = data.get("customer"), data.get("contact")
        if customer is None and contact is None:
            raise serializers.ValidationError(
                {"customer": _("Choose the customer, or one of its contacts.")}
            )
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            raise serializers.ValidationError(
                {"contact": _("This contact belongs to another customer.")}
            )
        data["customer"] = customer or contact.customer
        contract = data.get("contract")
        if contract is not None and contract.customer_id != data["customer"].pk:
            raise serializers.ValidationError(
                {"contract": _("This contract belongs to another customer.")}
            )
        return data


class MailReplyInputSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=20, help_text="The ticket's number.")
