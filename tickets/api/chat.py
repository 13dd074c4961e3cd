"""`/api/chat-robots/`: the chat-group robots that hear escalations, and whether they are
reached (managers and leadership; the webhook address and secret never leave the admin)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.roles import Role
from accounts.selectors import has_any_role
from tickets.chat import robot_test
from tickets.models import ChatRobot


class ChatRobotSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(
        source="branch.name", read_only=True, allow_null=True, default=None
    )
    tiers = serializers.ListField(child=serializers.CharField(), read_only=True)
    failing = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChatRobot
        fields = [
            "id",
            "name",
            "kind",
            "branch",
            "branch_name",
            "tiers",
            "active",
            "last_sent_at",
            "last_error",
            "last_error_at",
            "failing",
        ]
        read_only_fields = fields


class ChatTestResultSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    error = serializers.CharField()


class ChatRobotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The robots (managers, leadership); `…/test/` posts a test message to the group now
    (managers)."""

    serializer_class = ChatRobotSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or not has_any_role(
            self.request.user, Role.MANAGER, Role.LEADER
        ):
            return ChatRobot.objects.none()
        return ChatRobot.objects.select_related("branch").order_by("name", "pk")

    @extend_schema(request=None, responses={200: ChatTestResultSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        robot = self.get_object()
        if not has_any_role(request.user, Role.MANAGER):
            raise PermissionDenied(_("Only managers send test messages."))
        message = robot_test(robot, text=_("Test message from the service desk."))
        return Response({"sent": bool(message.sent_at), "error": message.last_error})
