"""`/api/deductions/…`: the ledger lines a user may read, and third-party repairs recorded by
managers through the same service as the page (deductions.services)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api_errors import errors
from core.inputs import clean_text
from deductions.api.serializers import DeductionSerializer, ThirdPartyRepairSerializer
from deductions.models import Deduction, ThirdPartyRepair
from deductions.selectors import readable_contracts, repair_ticket
from deductions.services import third_party_repair_record
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.submissions import api_create_once


class DeductionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The deduction ledgers this user may read (managers and leaders: every contract;
    customer contacts: their own), latest first."""

    serializer_class = DeductionSerializer
    filter_backends = []

    @extend_schema(parameters=[OpenApiParameter("contract", str, description="A contract number.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deduction.objects.none()
        contracts = readable_contracts(self.request.user)
        lines = Deduction.objects.filter(contract__in=contracts.values("pk")).select_related(
            "contract", "ticket", "clock"
        )
        number = clean_text(self.request.query_params.get("contract", ""), field="contract")
        if number:
            lines = lines.filter(contract__number=number[:60])
        return lines.order_by("-occurred_at", "-pk")


class ThirdPartyRepairViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Repairs the buyer had a third party do because ours was late; `POST` (service
    managers, multipart for the invoice) records one and deducts its cost."""

    serializer_class = ThirdPartyRepairSerializer
    filter_backends = []
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ThirdPartyRepair.objects.none()
        contracts = readable_contracts(self.request.user)
        return (
            ThirdPartyRepair.objects.filter(ticket__contract__in=contracts.values("pk"))
            .select_related("ticket", "recorded_by")
            .order_by("-repaired_on", "-pk")
        )

    @extend_schema(
        responses={201: ThirdPartyRepairSerializer, **errors(409)},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request):
        def run():
            serializer = ThirdPartyRepairSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            number = data.pop("ticket")["number"]
            ticket = repair_ticket(request.user, number)
            if ticket is None:
                raise ValidationError({"ticket": _("No such ticket.")})
            repair = third_party_repair_record(ticket=ticket, user=request.user, **data)
            return Response(ThirdPartyRepairSerializer(repair).data, status=status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a client's retry deducts the cost once.
        return api_create_once(request, run)
