"""`/api/training/sessions/`: training sessions through the same services and visibility
rule as the pages (staff: all; customer contacts: their organisation's, read only)."""

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api_errors import errors
from core.inputs import as_id
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.submissions import api_create_once
from training.api.serializers import (
    AttendanceInputSerializer,
    CancelInputSerializer,
    MaterialsInputSerializer,
    SessionChangeSerializer,
    SigninSheetInputSerializer,
    TrainingSessionSerializer,
)
from training.models import TrainingSession
from training.selectors import session_with_details, sessions_visible_to
from training.services import (
    AttendeeInput,
    attendance_record,
    materials_add,
    session_cancel,
    session_change,
    session_hold,
    session_plan,
    signin_sheet_upload,
)

_FILTERS = [
    OpenApiParameter("contract", OpenApiTypes.INT, description="Only this contract's sessions."),
    OpenApiParameter("state", OpenApiTypes.STR, enum=TrainingSession.State.values),
    OpenApiParameter("year", OpenApiTypes.INT, description="Sessions starting in this year."),
]


def _people(rows) -> list[AttendeeInput] | None:
    if rows is None:
        return None
    return [
        AttendeeInput(
            contact=row.get("contact"),
            name=row.get("name", ""),
            organisation=row.get("organisation", ""),
            position=row.get("position", ""),
        )
        for row in rows
    ]


class TrainingSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Training sessions (培训) the user may see, latest first, with attendees and materials.
    `POST` plans one (the desk, managers) with its attendees; `PUT`/`PATCH` change a planned
    one (`attendees`, when given, replaces the list); `…/attendance/` records who came (and
    with `hold`, marks it held); `…/hold/` marks it held (attendance recorded first);
    `…/cancel/` cancels it; `…/materials/` and `…/signin_sheet/` take files (multipart)."""

    serializer_class = TrainingSessionSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingSession.objects.none()
        sessions = session_with_details(sessions_visible_to(self.request.user))
        params = self.request.query_params
        condition = Q()
        if "contract" in params:
            condition &= Q(contract_id=as_id(params["contract"]) or 0)
        if "state" in params:
            # Anything but a state (NUL bytes included) matches nothing, never a 500.
            state = params["state"]
            condition &= Q(state=state if state in TrainingSession.State.values else "-")
        if "year" in params:
            year = as_id(params["year"])
            valid = year is not None and 1900 <= year <= 2999
            condition &= Q(starts_at__year=year) if valid else Q(pk__in=[])
        return sessions.filter(condition).order_by("-starts_at", "-pk")

    @extend_schema(parameters=_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, session, code=status.HTTP_200_OK):
        fresh = session_with_details(sessions_visible_to(self.request.user)).get(pk=session.pk)
        return Response(TrainingSessionSerializer(fresh).data, status=code)

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER], responses={201: TrainingSessionSerializer})
    def create(self, request):
        def run():
            serializer = TrainingSessionSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            people = _people(data.pop("attendees", []))
            session = session_plan(user=request.user, attendees=people, **data)
            return self._answer(session, status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retry plans one session.
        return api_create_once(request, run)

    def _change(self, request, partial: bool):
        session = self.get_object()
        serializer = SessionChangeSerializer(session, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        people = _people(data.pop("attendees", None))
        current = {
            field: getattr(session, field)
            for field in (
                "topic",
                "kind",
                "trainer",
                "trainer_name",
                "starts_at",
                "duration_minutes",
                "place",
                "notes",
            )
        }
        values = {**current, **data}
        if "trainer" in data and data["trainer"] is not None and "trainer_name" not in data:
            values["trainer_name"] = ""
        session = session_change(session=session, user=request.user, attendees=people, **values)
        return self._answer(session)

    @extend_schema(
        request=SessionChangeSerializer,
        responses={200: TrainingSessionSerializer, **errors(409)},
    )
    def update(self, request, pk=None):
        return self._change(request, partial=False)

    @extend_schema(
        request=SessionChangeSerializer,
        responses={200: TrainingSessionSerializer, **errors(409)},
    )
    def partial_update(self, request, pk=None):
        return self._change(request, partial=True)

    @extend_schema(
        request=AttendanceInputSerializer,
        responses={200: TrainingSessionSerializer, **errors(409)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        serializer = AttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marks = {row["id"]: row["attended"] for row in serializer.validated_data["attendees"]}
        attendance_record(session=session, user=request.user, attendance=marks)
        if serializer.validated_data["hold"]:
            session_hold(session=session, user=request.user)
        return self._answer(session)

    @extend_schema(request=None, responses={200: TrainingSessionSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        session = session_hold(session=self.get_object(), user=request.user)
        return self._answer(session)

    @extend_schema(
        request=CancelInputSerializer, responses={200: TrainingSessionSerializer, **errors(409)}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        serializer = CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = session_cancel(
            session=session, user=request.user, reason=serializer.validated_data["reason"]
        )
        return self._answer(session)

    @extend_schema(
        request={"multipart/form-data": MaterialsInputSerializer},
        responses={200: TrainingSessionSerializer, **errors(409)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def materials(self, request, pk=None):
        session = self.get_object()
        serializer = MaterialsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        materials_add(session=session, user=request.user, files=serializer.validated_data["files"])
        return self._answer(session)

    @extend_schema(
        request={"multipart/form-data": SigninSheetInputSerializer},
        responses={200: TrainingSessionSerializer, **errors(409)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def signin_sheet(self, request, pk=None):
        session = self.get_object()
        serializer = SigninSheetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = signin_sheet_upload(
            session=session, user=request.user, file=serializer.validated_data["file"]
        )
        return self._answer(session)
