"""`/api/maintenance/windows/`: planned downtime, through the same services as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_errors import errors
from maintenance.api.serializers import DowntimeChangeSerializer, DowntimeWindowSerializer
from maintenance.models import DowntimeWindow
from maintenance.selectors import windows_visible_to
from maintenance.services import downtime_cancel, downtime_change, downtime_plan
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.submissions import api_create_once


class DowntimeWindowViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Planned downtime the user may see (staff: all; customer contacts: their own), by
    start. `POST` plans one (the desk, managers), `…/change/` moves or rewords it,
    `…/cancel/` cancels it; each tells the customer's people."""

    serializer_class = DowntimeWindowSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DowntimeWindow.objects.none()
        return windows_visible_to(self.request.user).order_by("starts_at", "pk")

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    def create(self, request):
        def run():
            serializer = DowntimeWindowSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            window = downtime_plan(user=request.user, **serializer.validated_data)
            return Response(DowntimeWindowSerializer(window).data, status=status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retry plans (and announces) one window.
        return api_create_once(request, run)

    @extend_schema(
        request=DowntimeChangeSerializer,
        responses={200: DowntimeWindowSerializer, **errors(409)},
    )
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        window = self.get_object()
        serializer = DowntimeChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        window = downtime_change(window=window, user=request.user, **data)
        return Response(DowntimeWindowSerializer(window).data)

    @extend_schema(request=None, responses={200: DowntimeWindowSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        window = downtime_cancel(window=self.get_object(), user=request.user)
        return Response(DowntimeWindowSerializer(window).data)
