from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.selectors import role_of, ticket_records_visible_to, tickets_visible_to
from tickets.api.filters import TicketFilter
from tickets.api.serializers import (
    AttachmentSerializer,
    CommentSerializer,
    DispatchSerializer,
    EscalationSerializer,
    EventSerializer,
    NoteSerializer,
    NotificationSerializer,
    PrioritySerializer,
    ResolveSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from tickets.escalation import escalation_acknowledge
from tickets.models import ClockPause, EscalationStep, Notification, SlaClock, Ticket
from tickets.services import (
    ticket_attach,
    ticket_change_priority,
    ticket_create,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
)
from tickets.work import comment_add


def _clock_prefetch():
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.select_related("calendar").prefetch_related(
            Prefetch("pauses", queryset=ClockPause.objects.order_by("started_at"))
        ),
    )


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

    filterset_class = TicketFilter
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        queryset = Ticket.objects.select_related("customer", "contract").prefetch_related(
            _clock_prefetch()
        )
        if self.action == "retrieve":
            queryset = queryset.select_related("fault_report", "contract")
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
            .prefetch_related(_clock_prefetch())
            .get(pk=ticket_id)
        )
        context = self.get_serializer_context()
        return Response(TicketDetailSerializer(ticket, context=context).data, status=code)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = TicketCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        ticket = ticket_create(created_by=request.user, **serializer.validated_data)
        return self._detail(ticket.pk, status.HTTP_201_CREATED)

    def _visible_ticket_id(self, pk) -> int:
        # 404 for a ticket this user may not see, before anything else.
        visible = tickets_visible_to(self.request.user, Ticket.objects.all())
        return get_object_or_404(visible.only("pk"), pk=pk).pk

    def _simple(self, request, pk, name):
        ticket_id = self._visible_ticket_id(pk)
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_transition(
            ticket_id=ticket_id,
            name=name,
            user=request.user,
            note=serializer.validated_data["note"],
        )
        return self._detail(ticket_id)

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._simple(request, pk, "acknowledge")

    @extend_schema(request=DispatchSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_engineer(self, request, pk=None):
        # Not named "dispatch": that name is the view's own request dispatcher.
        ticket_id = self._visible_ticket_id(pk)
        serializer = DispatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_dispatch(
            ticket_id=ticket_id,
            user=request.user,
            engineer=serializer.validated_data["engineer"],
            note=serializer.validated_data["note"],
        )
        return self._detail(ticket_id)

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def depart(self, request, pk=None):
        return self._simple(request, pk, "depart")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def check_in(self, request, pk=None):
        return self._simple(request, pk, "check_in")

    @extend_schema(request=ResolveSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        note = data.pop("note")
        ticket_resolve(ticket_id=ticket_id, user=request.user, report=data, note=note)
        return self._detail(ticket_id)

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._simple(request, pk, "confirm")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._simple(request, pk, "close")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def wait_customer(self, request, pk=None):
        return self._simple(request, pk, "wait_customer")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._simple(request, pk, "resume")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._simple(request, pk, "reopen")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._simple(request, pk, "cancel")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._simple(request, pk, "approve")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._simple(request, pk, "reject")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def start_work(self, request, pk=None):
        return self._simple(request, pk, "start_work")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._simple(request, pk, "complete")

    @extend_schema(request=NoteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._simple(request, pk, "accept")

    @extend_schema(request=PrioritySerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def change_priority(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        serializer = PrioritySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_change_priority(
            ticket_id=ticket_id,
            user=request.user,
            priority=serializer.validated_data["priority"],
            note=serializer.validated_data["note"],
        )
        return self._detail(ticket_id)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        events = (
            Ticket.objects.get(pk=ticket_id).events.select_related("actor").order_by("at", "pk")
        )
        if role_of(request.user) == "customer":
            # Escalations are the vendor's internal business.
            events = events.exclude(kind="escalation")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(request=CommentSerializer, responses=CommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """Replies the customer sees and, for staff, internal notes."""
        ticket_id = self._visible_ticket_id(pk)
        ticket = Ticket.objects.get(pk=ticket_id)
        if request.method == "POST":
            serializer = CommentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = comment_add(
                ticket=ticket,
                user=request.user,
                body=serializer.validated_data["body"],
                internal=serializer.validated_data.get("internal", False),
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = ticket.comments.select_related("author")
        if role_of(request.user) == "customer":
            comments = comments.filter(internal=False)
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(request=AttachmentSerializer, responses=AttachmentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request, pk=None):
        ticket_id = self._visible_ticket_id(pk)
        if request.method == "POST":
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
        attachments = Ticket.objects.get(pk=ticket_id).attachments.all()
        return Response(
            AttachmentSerializer(attachments, many=True, context={"request": request}).data
        )


class EscalationViewSet(viewsets.ReadOnlyModelViewSet):
    """Escalation steps on the tickets this user can see; `?mine=true` for this user's tier."""

    serializer_class = EscalationSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or role_of(self.request.user) in (
            None,
            "customer",
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

    @extend_schema(request=None, responses=EscalationSerializer)
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
        return Notification.objects.filter(user=self.request.user).order_by("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = self.get_queryset().filter(read_at__isnull=True).count()
        return response

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at", "updated_at"])
        return Response(NotificationSerializer(notification).data)
