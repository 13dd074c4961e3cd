"""A complaint's answer in the API: `GET /api/tickets/<id>/complaint/` (where it stands)
and `POST` (the service manager answers), through tickets/complaints.py like the page."""

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
from tickets.complaints import complaint_answer
from tickets.models import ComplaintAnswer, Kind, Ticket
from tickets.selectors import tickets_visible_to


class ComplaintSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    answer_due_at = serializers.DateTimeField(allow_null=True)
    answer_clock = serializers.CharField(allow_null=True, help_text="The answer clock's status.")
    answered = serializers.BooleanField()
    answered_by = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    justified = serializers.BooleanField(allow_null=True)
    finding = serializers.CharField(allow_null=True, help_text="Staff only.")
    action = serializers.CharField(allow_null=True, help_text="Staff only.")
    answer = serializers.CharField(allow_null=True)


class ComplaintAnswerInputSerializer(serializers.Serializer):
    finding = serializers.CharField(max_length=5000)
    justified = serializers.BooleanField()
    action = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    answer = serializers.CharField(max_length=5000)


def _complaint(request, pk) -> Ticket:
    ticket = get_object_or_404(tickets_visible_to(request.user, Ticket.objects.all()), pk=pk)
    if ticket.kind != Kind.COMPLAINT:
        raise NotFound(_("This ticket is not a complaint."))
    return ticket


def _state(ticket: Ticket, *, staff: bool) -> dict:
    record = ComplaintAnswer.objects.filter(ticket=ticket).select_related("answered_by").first()
    clock = ticket.clocks.filter(kind="answer").first()
    return {
        "ticket": ticket.number,
        "answer_due_at": clock.target_at if clock else None,
        "answer_clock": clock.status if clock else None,
        "answered": record is not None,
        "answered_by": record.answered_by.username if record else None,
        "answered_at": record.answered_at if record else None,
        "justified": record.justified if record else None,
        # What we found and do is the vendor's record; the customer reads the answer.
        "finding": record.finding if record and staff else None,
        "action": record.action if record and staff else None,
        "answer": record.answer if record else None,
    }


class ComplaintView(APIView):
    """A complaint's answer clock and answer (seed 004, 7.1.2.2); `POST`: the service
    manager answers it (once), which the customer reads as our reply."""

    @extend_schema(responses={200: ComplaintSerializer})
    def get(self, request, pk: int):
        ticket = _complaint(request, pk)
        staff = role_of(request.user) != Role.CUSTOMER
        return Response(ComplaintSerializer(_state(ticket, staff=staff)).data)

    @extend_schema(
        request=ComplaintAnswerInputSerializer,
        responses={200: ComplaintSerializer, **errors(409)},
    )
    def post(self, request, pk: int):
        ticket = _complaint(request, pk)
        data = ComplaintAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint_answer(ticket=ticket, user=request.user, **data.validated_data)
        return Response(ComplaintSerializer(_state(ticket, staff=True)).data)
