from rest_framework import serializers

from contracts.models import CoveredItem, Site
from maintenance.models import DowntimeWindow


class DowntimeWindowSerializer(serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    items = serializers.PrimaryKeyRelatedField(
        queryset=CoveredItem.objects.all(), many=True, required=False
    )
    customer = serializers.CharField(source="customer.name", read_only=True)
    notice_hours = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    class Meta:
        model = DowntimeWindow
        fields = [
            "id",
            "customer",
            "site",
            "items",
            "starts_at",
            "ends_at",
            "reason",
            "work",
            "notice_hours",
            "state",
            "version",
        ]
        read_only_fields = ["id", "customer", "state", "version"]
        # The service decides (400 with the field): the order of the moments, the items.
        validators = []


class DowntimeChangeSerializer(DowntimeWindowSerializer):
    class Meta(DowntimeWindowSerializer.Meta):
        read_only_fields = [*DowntimeWindowSerializer.Meta.read_only_fields, "site"]
