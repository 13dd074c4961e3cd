"""`/api/mail/`: the mail the desk read, and the triage of what waits for an agent,
through the same services as the pages."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_errors import errors
from mail_intake.api.serializers import (
    InboundMailSerializer,
    MailReplyInputSerializer,
    MailTicketInputSerializer,
)
from mail_intake.models import InboundMail
from mail_intake.selectors import mails_visible_to
from mail_intake.services import triage_dismiss, triage_reply, triage_ticket
from tickets.api.serializers import TicketSerializer
from tickets.selectors import ticket_by_number


class InboundMailFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=InboundMail.Outcome.choices)

    class Meta:
        model = InboundMail
        fields = ["outcome"]


class InboundMailViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The mail read from the desk's mailboxes (the desk only), newest first;
    `?outcome=triage` is what waits for an agent. `…/ticket/` logs a ticket from a waiting
    mail, `…/reply/` adds it to a ticket as the customer's reply, `…/dismiss/` sets it
    aside (agents and managers)."""

    serializer_class = InboundMailSerializer
    filterset_class = InboundMailFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InboundMail.objects.none()
        return mails_visible_to(self.request.user).order_by("-received_at", "-pk")

    def _answer(self, mail_id: int):
        return Response(InboundMailSerializer(self.get_queryset().get(pk=mail_id)).data)

    @extend_schema(
        request=MailTicketInputSerializer, responses={200: TicketSerializer, **errors(409)}
    )
    @action(detail=True, methods=["post"])
    def ticket(self, request, pk=None):
        mail = self.get_object()
        serializer = MailTicketInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = triage_ticket(mail_id=mail.pk, user=request.user, **serializer.validated_data)
        return Response(TicketSerializer(ticket, context={"request": request}).data)

    @extend_schema(
        request=MailReplyInputSerializer,
        responses={200: InboundMailSerializer, **errors(409)},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        mail = self.get_object()
        serializer = MailReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = ticket_by_number(user=request.user, number=serializer.validated_data["ticket"])
        if ticket is None:
            raise ValidationError({"ticket": _("No such ticket.")})
        triage_reply(mail_id=mail.pk, user=request.user, ticket=ticket)
        return self._answer(mail.pk)

    @extend_schema(request=None, responses={200: InboundMailSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        mail = self.get_object()
        triage_dismiss(mail_id=mail.pk, user=request.user)
        return self._answer(mail.pk)
