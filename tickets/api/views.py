from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import Role
from accounts.selectors import role_of
from core.api_errors import errors
from tickets import permissions as may
from tickets.api.filters import TicketFilter
from tickets.api.pagination import TicketPagination
from tickets.api.serializers import (
    AttachmentSerializer,
    CommentSerializer,
    EscalationSerializer,
    EventSerializer,
    NotificationSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from tickets.api.transitions import API_ACTIONS, ApiAction
from tickets.escalation import escalation_acknowledge
from tickets.models import CheckIn, ClockPause, EscalationStep, Notification, SlaClock, Ticket
from tickets.selectors import (
    notifications_of,
    ticket_records_visible_to,
    tickets_visible_to,
    unread_notification_count,
)
from tickets.services.attachments import ticket_attach
from tickets.services.creation import ticket_create
from tickets.submissions import IDEMPOTENCY_HEADER, api_create_once
from tickets.work_services import comment_add

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID) chosen by the client, at most 255 characters. Sent "
        "again by the same user, the first response is answered again (with "
        "`Idempotent-Replayed: true`) and nothing is created twice; used on another "
        "method or path it is refused with 422. Failed requests are not kept."
    ),
)


def _clock_prefetch():
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.select_related("calendar").prefetch_related(
            Prefetch("pauses", queryset=ClockPause.objects.order_by("started_at"))
        ),
    )


def _check_in_prefetch():
    return Prefetch("check_ins", queryset=CheckIn.objects.order_by("at", "pk"))


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tickets, their workflow transitions and their history.

    Each transition is `POST /api/tickets/{id}/<transition>/`: 409 with the
    reason when it is not possible now, 403 when this user may not take it,
    400 with field errors for bad data.
    """

    # The transition actions are generated below the class from
    # tickets/api/transitions.py, which is built on the one transition table.

    filterset_class = TicketFilter
    pagination_class = TicketPagination
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        queryset = Ticket.objects.select_related("customer", "contract").prefetch_related(
            _clock_prefetch()
        )
        if self.action == "retrieve":
            queryset = queryset.select_related("fault_report", "contract").prefetch_related(
                _check_in_prefetch()
            )
        return tickets_visible_to(self.request.user, queryset).order_by("-reported_at", "-pk")

    def get_serializer_class(self):
        if self.action == "create":
            return TicketCreateSerializer
        if self.action == "list":
            return TicketSerializer
        return TicketDetailSerializer

    def _detail(self, ticket_id: int, code=status.HTTP_200_OK) -> Response:
        # Unscoped on purpose: the caller just created or acted on this ticket,
        # even if their role would not list it afterwards.
        ticket = (
            Ticket.objects.select_related("customer", "contract", "fault_report")
            .prefetch_related(_clock_prefetch(), _check_in_prefetch())
            .get(pk=ticket_id)
        )
        context = self.get_serializer_context()
        return Response(TicketDetailSerializer(ticket, context=context).data, status=code)

    @extend_schema(responses={200: TicketSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: TicketDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        if not may.create_ticket(request.user):
            # The pages' rule: engineers (and anyone not at the desk or the portal) get 403.
            raise PermissionDenied(_("You may not create tickets."))

        def run():
            serializer = TicketCreateSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            ticket = ticket_create(created_by=request.user, **serializer.validated_data)
            return self._detail(ticket.pk, status.HTTP_201_CREATED)

        return api_create_once(request, run)

    def _visible_ticket_id(self, pk) -> int:
        # 404 for a ticket this user may not see, before anything else.
        visible = tickets_visible_to(self.request.user, Ticket.objects.all())
        return get_object_or_404(visible.only("pk"), pk=pk).pk

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        events = (
            Ticket.objects.get(pk=ticket_id).events.select_related("actor").order_by("at", "pk")
        )
        if role_of(request.user) == Role.CUSTOMER:
            # Escalations are the vendor's internal business.
            events = events.exclude(kind="escalation")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(methods=["GET"], responses={200: CommentSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=CommentSerializer,
        responses={201: CommentSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, pk=None):
        """Replies the customer sees and, for staff, internal notes."""
        ticket_id = self._visible_ticket_id(pk)
        ticket = Ticket.objects.get(pk=ticket_id)
        if request.method == "POST":

            def run():
                serializer = CommentSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                comment = comment_add(
                    ticket=ticket,
                    user=request.user,
                    body=serializer.validated_data["body"],
                    internal=serializer.validated_data.get("internal", False),
                )
                return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

            return api_create_once(request, run)
        comments = ticket.comments.select_related("author")
        if role_of(request.user) == Role.CUSTOMER:
            comments = comments.filter(internal=False)
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=AttachmentSerializer,
        responses={201: AttachmentSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def attachments(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        if request.method == "POST":

            def run():
                serializer = AttachmentSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                attachment = ticket_attach(
                    ticket_id=ticket_id,
                    user=request.user,
                    file=serializer.validated_data["file"],
                    name=serializer.validated_data.get("name", ""),
                )
                return Response(
                    AttachmentSerializer(attachment, context={"request": request}).data,
                    status=status.HTTP_201_CREATED,
                )

            return api_create_once(request, run)
        attachments = Ticket.objects.get(pk=ticket_id).attachments.all()
        return Response(
            AttachmentSerializer(attachments, many=True, context={"request": request}).data
        )


def _transition_action(spec: ApiAction):
    """One `POST /api/tickets/{id}/<name>/`: 404 if unseen, parse, call the service, answer."""

    def view(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        serializer = spec.serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        spec.run(ticket_id, request.user, serializer.validated_data)
        return self._detail(ticket_id)

    view.__name__ = view.__qualname__ = spec.method_name
    routed = action(detail=True, methods=["post"], url_path=spec.name, url_name=spec.url_name)
    responses = {200: TicketDetailSerializer, **errors(409)}
    return extend_schema(request=spec.serializer, responses=responses)(routed(view))


for _spec in API_ACTIONS:
    if hasattr(TicketViewSet, _spec.method_name):
        # A name DRF already uses (dispatch, list…) would silently replace it.
        raise ImproperlyConfigured(f"API action {_spec.method_name!r} hides a view attribute")
    setattr(TicketViewSet, _spec.method_name, _transition_action(_spec))


class EscalationViewSet(viewsets.ReadOnlyModelViewSet):
    """Escalation steps on the tickets this user can see; `?mine=true` for this user's tier."""

    serializer_class = EscalationSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or role_of(self.request.user) in (
            None,
            Role.CUSTOMER,
        ):
            return EscalationStep.objects.none()
        queryset = ticket_records_visible_to(
            self.request.user, EscalationStep.objects.select_related("ticket", "clock")
        )
        params = self.request.query_params
        if params.get("mine") in ("true", "1"):
            queryset = queryset.filter(tier=self.request.user.tier, superseded=False)
        if params.get("acknowledged") in ("false", "0"):
            queryset = queryset.filter(acknowledged_at__isnull=True)
        elif params.get("acknowledged") in ("true", "1"):
            queryset = queryset.filter(acknowledged_at__isnull=False)
        return queryset.order_by("-fired_at", "-pk")

    @extend_schema(request=None, responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        step = self.get_object()
        step = escalation_acknowledge(step=step, user=request.user)
        return Response(EscalationSerializer(step).data)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """This user's in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications_of(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # The header's badge count: withdrawn warnings are not unread.
        response.data["unread"] = unread_notification_count(request.user)
        return response

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at", "updated_at"])
        return Response(NotificationSerializer(notification).data)
