"""`/api/duty/shifts/` and `/api/duty/gaps/`: the roster through the same services and
permissions as the pages (staff read every branch; a branch's manager, the leadership group
and superusers plan it; customers get 403)."""

from datetime import UTC, datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.inputs import as_id
from duty import permissions as may
from duty.api.serializers import (
    DutyGapSerializer,
    DutyShiftChangeSerializer,
    DutyShiftSerializer,
    GapsQuerySerializer,
)
from duty.selectors import gaps_ahead, shifts_for
from duty.services import shift_add, shift_change, shift_remove
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.submissions import api_create_once

_FILTERS = [
    OpenApiParameter("branch", OpenApiTypes.INT, description="Only this branch's shifts."),
    OpenApiParameter(
        "from", OpenApiTypes.DATETIME, description="Shifts still running at or after this."
    ),
    OpenApiParameter("to", OpenApiTypes.DATETIME, description="Shifts starting before this."),
]


class SeesRoster(BasePermission):
    """The vendor's staff; customers' contacts never (403)."""

    def has_permission(self, request, view):
        return may.see_roster(request.user)


def _moment(params, name: str, errors: dict) -> datetime | None:
    if name not in params:
        return None
    text = params[name].strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors[name] = ["Enter an ISO 8601 date and time."]
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if not datetime(1900, 1, 1, tzinfo=UTC) <= moment <= datetime(2999, 12, 31, tzinfo=UTC):
        errors[name] = ["Choose a moment between 1900 and 2999."]
        return None
    return moment


class DutyShiftViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Duty shifts (值班), by start. `POST` puts an engineer of the branch on duty;
    `PUT`/`PATCH` change a shift (its branch stays); `DELETE` removes it. An engineer on duty
    elsewhere at that time is refused (400)."""

    serializer_class = DutyShiftSerializer
    permission_classes = [SeesRoster]
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return shifts_for(None)
        params = self.request.query_params
        errors: dict = {}
        start = _moment(params, "from", errors)
        end = _moment(params, "to", errors)
        if errors:
            raise ApiValidationError(errors)
        branch_id = None
        if "branch" in params:
            branch_id = as_id(params["branch"]) or 0
        return shifts_for(self.request.user, branch_id=branch_id, start=start, end=end)

    @extend_schema(parameters=_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER], responses={201: DutyShiftSerializer})
    def create(self, request):
        def run():
            serializer = DutyShiftSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            shift = shift_add(user=request.user, **serializer.validated_data)
            return Response(DutyShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retry puts the engineer on duty once.
        return api_create_once(request, run)

    def _change(self, request, partial: bool):
        shift = self.get_object()
        serializer = DutyShiftChangeSerializer(shift, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = ["engineer", "starts_at", "ends_at", "kind", "mode", "site", "event", "note"]
        values = {name: getattr(shift, name) for name in fields}
        values.update(serializer.validated_data)
        if "mode" in serializer.validated_data and "site" not in serializer.validated_data:
            values["site"] = values["site"] if values["mode"] == "on_site" else None
        shift = shift_change(user=request.user, shift=shift, **values)
        return Response(DutyShiftSerializer(shift).data)

    @extend_schema(request=DutyShiftChangeSerializer, responses={200: DutyShiftSerializer})
    def update(self, request, pk=None):
        return self._change(request, partial=False)

    @extend_schema(request=DutyShiftChangeSerializer, responses={200: DutyShiftSerializer})
    def partial_update(self, request, pk=None):
        return self._change(request, partial=True)

    def perform_destroy(self, instance):
        shift_remove(user=self.request.user, shift=instance)


class DutyGapsView(APIView):
    """Holidays (00:00–24:00 local time) and events of a branch in the next `days` days
    (today included) that its duty shifts leave uncovered, with the stretches uncovered."""

    permission_classes = [SeesRoster]

    @extend_schema(parameters=[GapsQuerySerializer], responses={200: DutyGapSerializer(many=True)})
    def get(self, request):
        query = GapsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        gaps = gaps_ahead(
            branch=query.validated_data["branch"],
            today=timezone.localdate(),
            days=query.validated_data.get("days") or 14,
        )
        return Response(DutyGapSerializer(gaps, many=True).data)
