"""`/api/maintenance/windows/`: planned downtime, through the same services as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_errors import errors
from maintenance import permissions as may
from maintenance.api.serializers import (
    DowntimeChangeSerializer,
    DowntimeWindowSerializer,
    RollBackInputSerializer,
    SoftwareNoticeSerializer,
    StepInputSerializer,
    UpgradeSerializer,
)
from maintenance.models import DowntimeWindow, SoftwareNotice, Upgrade
from maintenance.notices import notice_publish, notice_read, notices_visible_to
from maintenance.selectors import windows_visible_to
from maintenance.services import downtime_cancel, downtime_change, downtime_plan
from maintenance.upgrades import upgrade_plan, upgrade_retry, upgrade_roll_back, upgrade_step
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


class UpgradeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Upgrades of covered items (staff). `POST` plans one (the desk, managers); `…/step/`
    checks off the next of the seven steps (its engineer), `…/roll_back/` restores the
    previous system with the reason, `…/retry/` starts a new attempt from the backup."""

    serializer_class = UpgradeSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or not may.see_all_windows(self.request.user):
            return Upgrade.objects.none()
        return Upgrade.objects.prefetch_related("steps__done_by").order_by("-created_at", "-pk")

    def _answer(self, upgrade, code=status.HTTP_200_OK):
        return Response(UpgradeSerializer(self.get_queryset().get(pk=upgrade.pk)).data, status=code)

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    def create(self, request):
        def run():
            serializer = UpgradeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            upgrade = upgrade_plan(user=request.user, **serializer.validated_data)
            return self._answer(upgrade, status.HTTP_201_CREATED)

        return api_create_once(request, run)

    @extend_schema(request=StepInputSerializer, responses={200: UpgradeSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        serializer = StepInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upgrade = upgrade_step(
            upgrade=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._answer(upgrade)

    @extend_schema(
        request=RollBackInputSerializer, responses={200: UpgradeSerializer, **errors(409)}
    )
    @action(detail=True, methods=["post"])
    def roll_back(self, request, pk=None):
        serializer = RollBackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upgrade = upgrade_roll_back(
            upgrade=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._answer(upgrade)

    @extend_schema(request=None, responses={200: UpgradeSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._answer(upgrade_retry(upgrade=self.get_object(), user=request.user))


class SoftwareNoticeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Bug and upgrade notices: staff see all, customer contacts those published to their
    organisation (`read` says whether this user opened it). `POST` publishes one (managers);
    `…/read/` records this contact's receipt."""

    serializer_class = SoftwareNoticeSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SoftwareNotice.objects.none()
        return notices_visible_to(self.request.user).order_by("-published_at", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    def create(self, request):
        def run():
            serializer = SoftwareNoticeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            notice = notice_publish(user=request.user, **serializer.validated_data)
            return Response(
                SoftwareNoticeSerializer(notice, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )

        return api_create_once(request, run)

    @extend_schema(request=None, responses={200: SoftwareNoticeSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()
        notice_read(notice=notice, user=request.user)
        return Response(
            SoftwareNoticeSerializer(notice, context=self.get_serializer_context()).data
        )
