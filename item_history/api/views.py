"""`GET /api/items/{id}/history/`: the covered item's life, as its page shows it."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import items_visible_to
from item_history.selectors import item_history
from maintenance.permissions import record_version as may_record_version
from maintenance.upgrades import current_version, version_record


class EntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(
        choices=[
            "ticket",
            "check_in",
            "part",
            "substitute",
            "inspection",
            "downtime",
            "version",
            "upgrade",
        ]
    )
    title = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    ticket = serializers.CharField(allow_blank=True, help_text="The ticket's number, if any.")
    inspection = serializers.IntegerField(allow_null=True)
    window = serializers.IntegerField(allow_null=True, help_text="A planned downtime's id.")
    upgrade = serializers.IntegerField(allow_null=True, help_text="An upgrade's id.")


class ItemHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    model = serializers.CharField(allow_blank=True)
    serial_number = serializers.CharField(allow_blank=True)
    running = serializers.CharField(allow_blank=True, help_text="The version it runs now.")
    customer = serializers.CharField(source="customer.name")
    site = serializers.CharField(source="site.name", allow_null=True, default=None)
    entries = EntrySerializer(many=True)


class ItemHistoryView(APIView):
    """One covered item and everything that happened to it, latest first: tickets,
    check-ins, parts replaced, substitute devices, inspections of its site, planned
    downtime, versions installed and upgrades planned. Staff see every item; customer
    contacts their own (404 otherwise)."""

    @extend_schema(responses={200: ItemHistorySerializer})
    def get(self, request, pk: int):
        item = items_visible_to(request.user).filter(pk=pk).first()
        if item is None:
            raise Http404
        item.entries = item_history(item, request.user)
        item.running = current_version(item)
        return Response(ItemHistorySerializer(item).data)


class VersionInputSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class VersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    installed_at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)


class ItemVersionView(APIView):
    """`POST`: the version found installed on the item (the desk, managers, engineers); its
    upgrades record theirs themselves (/api/maintenance/upgrades/)."""

    @extend_schema(request=VersionInputSerializer, responses={201: VersionSerializer})
    def post(self, request, pk: int):
        item = items_visible_to(request.user).filter(pk=pk).first()
        if item is None:
            raise Http404
        if not may_record_version(request.user):
            raise PermissionDenied
        serializer = VersionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = version_record(item=item, user=request.user, **serializer.validated_data)
        return Response(VersionSerializer(version).data, status=201)
