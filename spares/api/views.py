"""`/api/spares/…`: the stock, the parts taken for tickets, the substitute devices. Writes go
through spares.services, as the pages' do: 400 with field errors, 403, 409 as for tickets."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_errors import errors
from core.inputs import as_id, clean_text
from spares import permissions as may
from spares import selectors
from spares.api.serializers import (
    PartSettleSerializer,
    PartTakeSerializer,
    PartUseSerializer,
    StockItemSerializer,
    SubstituteSerializer,
)
from spares.models import PartUse, StockItem, Substitute
from spares.services import (
    part_settle,
    part_take,
    stock_receive,
    substitute_install,
    substitute_return,
)
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.models import Ticket
from tickets.selectors import ticket_by_number, tickets_visible_to
from tickets.submissions import api_create_once


def _ticket_by_number(request, number: str) -> Ticket:
    """The ticket named in the body, if this user may see it: a field error otherwise, the
    same for a ticket that does not exist and one of another customer."""
    ticket = ticket_by_number(user=request.user, number=str(number)[:20])
    if ticket is None:
        raise ValidationError({"ticket": _("No such ticket.")})
    return ticket


def _of_visible_tickets(request, queryset):
    """Rows of the tickets this user may see, of one ticket with `?ticket=<number>`."""
    tickets = tickets_visible_to(request.user, Ticket.objects.all())
    queryset = queryset.filter(ticket__in=tickets.values("pk"))
    number = clean_text(request.query_params.get("ticket", ""), field="ticket", max_length=20)
    if number:
        queryset = queryset.filter(ticket__number=number)
    return queryset


def _int(value) -> int | None:
    return as_id(value)


class StockViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Spare parts on the branches' shelves. `POST` receives parts (service managers): added
    to the row of the same part, model and place, or a row of its own for a serial number."""

    serializer_class = StockItemSerializer
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("branch", int, description="Only this branch's stock."),
            OpenApiParameter("q", str, description="Part, model, serial number or location."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StockItem.objects.none()
        params = self.request.query_params
        return selectors.stock_visible(
            self.request.user,
            branch_id=_int(params.get("branch")),
            # A character PostgreSQL cannot hold (NUL) is a 400 on `q`, not a server error.
            query=clean_text(params.get("q", ""), field="q", max_length=100),
        ).order_by("branch__name", "name", "model", "serial_number", "pk")

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    def create(self, request, *args, **kwargs):
        def run():
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            item = stock_receive(user=request.user, **serializer.validated_data)
            return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retried receipt does not count the parts twice.
        return api_create_once(request, run)


class PartUseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Parts taken from stock for tickets: `POST` takes them, `…/settle/` says how many were
    used (the rest go back to stock)."""

    serializer_class = PartUseSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartUse.objects.none()
        uses = PartUse.objects.select_related(
            "ticket", "stock_item", "stock_item__branch", "taken_by", "settled_by"
        )
        if not may.see_stock(self.request.user):
            # A customer sees what went into their devices, as on the portal's ticket page.
            uses = uses.filter(state=PartUse.State.USED)
        return _of_visible_tickets(self.request, uses).order_by("-taken_at", "-pk")

    @extend_schema(parameters=[OpenApiParameter("ticket", str, description="A ticket's number.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PartTakeSerializer,
        responses={201: PartUseSerializer, **errors(409)},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request):
        def run():
            serializer = PartTakeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            ticket = _ticket_by_number(request, data["ticket"])
            item = StockItem.objects.filter(pk=data["stock_item"]).first()
            use = part_take(
                ticket=ticket, user=request.user, stock_item=item, quantity=data["quantity"]
            )
            return Response(PartUseSerializer(use).data, status=status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retried take does not empty the shelf twice.
        return api_create_once(request, run)

    @extend_schema(request=PartSettleSerializer, responses={200: PartUseSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        use = self.get_object()
        serializer = PartSettleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        use = part_settle(use=use, user=request.user, **serializer.validated_data)
        return Response(PartUseSerializer(self.get_queryset().get(pk=use.pk)).data)


class SubstituteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Substitute devices lent while the customer's own is repaired. `POST` records one
    installed, which keeps the ticket's substitute-device promise; `…/return/` takes it back."""

    serializer_class = SubstituteSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Substitute.objects.none()
        return _of_visible_tickets(
            self.request,
            Substitute.objects.select_related("ticket", "installed_by", "returned_by"),
        ).order_by("-installed_at", "-pk")

    @extend_schema(parameters=[OpenApiParameter("ticket", str, description="A ticket's number.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={201: SubstituteSerializer, **errors(409)}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    def create(self, request):
        def run():
            serializer = SubstituteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            ticket = _ticket_by_number(request, data.pop("ticket")["number"])
            substitute = substitute_install(ticket=ticket, user=request.user, **data)
            return Response(SubstituteSerializer(substitute).data, status=status.HTTP_201_CREATED)

        return api_create_once(request, run)

    @extend_schema(request=None, responses={200: SubstituteSerializer, **errors(409)})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def take_back(self, request, pk=None):
        substitute = substitute_return(substitute=self.get_object(), user=request.user)
        return Response(SubstituteSerializer(substitute).data)
