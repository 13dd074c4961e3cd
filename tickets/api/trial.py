"""The trial-phase answer in the API (seed 000, 1.4.1), through tickets/trial_answers.py
like the ticket page: `GET /api/tickets/<id>/trial-answer/` (where it stands, for whoever
sees the ticket), `PATCH` (the implementation team records it, in steps if need be), and
`POST …/trial-answer/deployment/` (the fix deployed after our internal test)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from accounts.selectors import role_of
from core.api_errors import errors
from tickets.models import Size, Ticket
from tickets.selectors import tickets_visible_to
from tickets.trial_answers import (
    TEXT_LIMIT,
    TrialState,
    trial_answer_save,
    trial_fix_deployed,
    trial_state,
)


class TrialHoursSerializer(serializers.Serializer):
    small = serializers.IntegerField(help_text="Hours to fix a small problem.")
    large = serializers.IntegerField(help_text="Hours to fix a large problem.")


class TrialAnswerSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    hours = TrialHoursSerializer(help_text="The contract's 小一大二 rule.")
    complete = serializers.BooleanField(help_text="Cause, fix date and size all given.")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Fields still needed for a complete answer."
    )
    cause = serializers.CharField(allow_blank=True)
    fix_due_at = serializers.DateTimeField(allow_null=True)
    size = serializers.ChoiceField(choices=Size.choices, allow_blank=True)
    rule_deadline_at = serializers.DateTimeField(
        allow_null=True, help_text="When a problem of this size is due by the rule."
    )
    fix_within_rule = serializers.BooleanField(
        allow_null=True, help_text="Whether the promised fix date keeps the rule."
    )
    answer_due_at = serializers.DateTimeField(
        allow_null=True, help_text="The response clock's target: the answer is due by then."
    )
    answer_clock = serializers.CharField(allow_null=True, help_text="The response clock's status.")
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.CharField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    resolution_clock = serializers.CharField(allow_null=True)
    deployed_at = serializers.DateTimeField(allow_null=True)
    deployed_by = serializers.CharField(allow_null=True)
    deployment = serializers.CharField(allow_blank=True)


class TrialAnswerInputSerializer(serializers.Serializer):
    cause = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    fix_due_at = serializers.DateTimeField(required=False)
    size = serializers.ChoiceField(choices=Size.choices, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=TEXT_LIMIT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why a given answer is reclassified (service managers only).",
    )


class TrialDeploymentInputSerializer(serializers.Serializer):
    deployment = serializers.CharField(
        max_length=TEXT_LIMIT, help_text="What was deployed: version, what changed."
    )
    tested = serializers.BooleanField(help_text="The fix passed our internal test.")


def _trial_ticket(request, pk) -> Ticket:
    ticket = get_object_or_404(tickets_visible_to(request.user, Ticket.objects.all()), pk=pk)
    if trial_state(ticket) is None:
        raise NotFound(_("This ticket is not held to the trial-phase answer."))
    return ticket


def _data(state: TrialState, *, staff: bool) -> dict:
    # Nor does the customer read who among us wrote it.
    answer = state.answer_for(staff=staff)
    response, resolution = state.response_clock, state.resolution_clock
    return {
        "ticket": state.ticket.number,
        "hours": state.hours,
        "complete": state.complete,
        "missing": state.missing if staff or state.complete else [],
        "cause": answer.cause if answer else "",
        "fix_due_at": answer.fix_due_at if answer else None,
        "size": answer.size if answer else "",
        "rule_deadline_at": state.rule_deadline,
        "fix_within_rule": state.fix_within_rule,
        "answer_due_at": response.target_at if response else None,
        "answer_clock": response.status if response else None,
        "answered_at": answer.answered_at if answer else None,
        "answered_by": answer.answered_by.username
        if staff and answer and answer.answered_by
        else None,
        "resolution_due_at": resolution.target_at if resolution else None,
        "resolution_clock": resolution.status if resolution else None,
        "deployed_at": answer.deployed_at if answer else None,
        "deployed_by": answer.deployed_by.username
        if staff and answer and answer.deployed_by
        else None,
        "deployment": answer.deployment if answer else "",
    }


def _response(request, ticket: Ticket) -> Response:
    staff = role_of(request.user) != Role.CUSTOMER
    return Response(TrialAnswerSerializer(_data(trial_state(ticket), staff=staff)).data)


class TrialAnswerView(APIView):
    """A trial-phase fault's answer: cause, promised fix date and size (small or large).

    The response clock stops when all three are given; the size sets the resolution clock
    (the contract's hours for a small or a large problem). Fields left out are kept; once
    the answer is given they can be changed, not removed, and only a service manager
    reclassifies, with a reason."""

    @extend_schema(responses={200: TrialAnswerSerializer})
    def get(self, request, pk: int):
        return _response(request, _trial_ticket(request, pk))

    @extend_schema(
        request=TrialAnswerInputSerializer,
        responses={200: TrialAnswerSerializer, **errors(409)},
    )
    def patch(self, request, pk: int):
        ticket = _trial_ticket(request, pk)
        data = TrialAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trial_answer_save(ticket=ticket, user=request.user, **data.validated_data)
        return _response(request, ticket)


class TrialDeploymentView(APIView):
    """The fix passed our internal test and is deployed (once, after the answer); the
    ticket may then be resolved, and the customer confirms it."""

    @extend_schema(
        request=TrialDeploymentInputSerializer,
        responses={200: TrialAnswerSerializer, **errors(409)},
    )
    def post(self, request, pk: int):
        ticket = _trial_ticket(request, pk)
        data = TrialDeploymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trial_fix_deployed(ticket=ticket, user=request.user, **data.validated_data)
        return _response(request, ticket)
