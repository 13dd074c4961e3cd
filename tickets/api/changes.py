"""The change request's sign-offs in the API: `/api/tickets/<id>/change-approval/`, and its
three steps as posts, through tickets/change_requests.py like the pages."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import errors
from tickets.change_requests import approval_of, change_accept, change_evaluate, change_sign
from tickets.models import ChangeApproval, Ticket
from tickets.selectors import tickets_visible_to


class ChangeApprovalSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.number", read_only=True)
    stage = serializers.ChoiceField(choices=ChangeApproval.Stage.choices, read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    signed_by = serializers.CharField(
        source="signed_by.username", read_only=True, allow_null=True, default=None
    )
    evaluated_by = serializers.CharField(
        source="evaluated_by.username", read_only=True, allow_null=True, default=None
    )
    accepted_by = serializers.CharField(
        source="accepted_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ChangeApproval
        fields = [
            "ticket",
            "stage",
            "stage_label",
            "sign_approved",
            "signed_by",
            "signed_at",
            "sign_reason",
            "scope",
            "effort",
            "schedule",
            "architecture",
            "evaluated_by",
            "evaluated_at",
            "accepted",
            "accepted_by",
            "accepted_at",
            "acceptance_reason",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EvaluationSerializer(serializers.Serializer):
    scope = serializers.CharField(max_length=5000)
    effort = serializers.CharField(max_length=200)
    schedule = serializers.CharField(max_length=200)
    architecture = serializers.CharField(max_length=5000)


def _change_ticket(request, pk) -> Ticket:
    ticket = get_object_or_404(tickets_visible_to(request.user, Ticket.objects.all()), pk=pk)
    if approval_of(ticket) is None:
        raise NotFound(_("This ticket is not a change request."))
    return ticket


def _answer(ticket: Ticket) -> Response:
    return Response(ChangeApprovalSerializer(approval_of(ticket)).data)


class ChangeApprovalView(APIView):
    """Where a change request's sign-offs stand: the customer's signature, our project
    manager's evaluation, the customer's acceptance (seed 000, 1.4.2)."""

    @extend_schema(responses={200: ChangeApprovalSerializer})
    def get(self, request, pk: int):
        return _answer(_change_ticket(request, pk))


class ChangeSignView(APIView):
    """Step 1: the customer's project management signs (`approve: true`) or refuses with a
    `reason` (the request is rejected)."""

    @extend_schema(
        request=DecisionSerializer, responses={200: ChangeApprovalSerializer, **errors(409)}
    )
    def post(self, request, pk: int):
        ticket = _change_ticket(request, pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change_sign(ticket=ticket, user=request.user, **data.validated_data)
        return _answer(ticket)


class ChangeEvaluateView(APIView):
    """Step 2: our project manager's evaluation (service managers), sent to the customer."""

    @extend_schema(
        request=EvaluationSerializer, responses={200: ChangeApprovalSerializer, **errors(409)}
    )
    def post(self, request, pk: int):
        ticket = _change_ticket(request, pk)
        data = EvaluationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change_evaluate(ticket=ticket, user=request.user, **data.validated_data)
        return _answer(ticket)


class ChangeAcceptView(APIView):
    """Step 3: the customer accepts the evaluation (`approve: true`: the request is approved
    and work may start) or refuses it with a `reason` (evaluated again)."""

    @extend_schema(
        request=DecisionSerializer, responses={200: ChangeApprovalSerializer, **errors(409)}
    )
    def post(self, request, pk: int):
        ticket = _change_ticket(request, pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change_accept(
            ticket=ticket,
            user=request.user,
            accept=data.validated_data["approve"],
            reason=data.validated_data["reason"],
        )
        return _answer(ticket)
