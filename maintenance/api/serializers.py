from rest_framework import serializers

from accounts.models import User
from contracts.models import CoveredItem, Site
from maintenance.models import DowntimeWindow, SoftwareNotice, Upgrade, UpgradeStep
from maintenance.upgrades import next_step


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


class UpgradeStepSerializer(serializers.ModelSerializer):
    done_by = serializers.CharField(source="done_by.username", read_only=True)

    class Meta:
        model = UpgradeStep
        fields = ["attempt", "step", "done_at", "done_by", "note"]
        read_only_fields = fields


class UpgradeSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(queryset=CoveredItem.objects.all())
    engineer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    window = serializers.PrimaryKeyRelatedField(
        queryset=DowntimeWindow.objects.all(), required=False, allow_null=True
    )
    steps = UpgradeStepSerializer(many=True, read_only=True)
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Upgrade
        fields = [
            "id",
            "item",
            "from_version",
            "to_version",
            "plan",
            "engineer",
            "window",
            "state",
            "attempt",
            "next_step",
            "steps",
            "finished_at",
        ]
        read_only_fields = ["id", "from_version", "state", "attempt", "steps", "finished_at"]
        extra_kwargs = {"plan": {"max_length": 10000}}

    def get_next_step(self, upgrade) -> str | None:
        return next_step(upgrade)


class StepInputSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=UpgradeStep.Step.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class RollBackInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class SoftwareNoticeSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = SoftwareNotice
        fields = ["id", "kind", "product", "versions", "title", "body", "published_at", "read"]
        read_only_fields = ["id", "published_at", "read"]
        extra_kwargs = {"body": {"max_length": 10000}}

    def get_read(self, notice) -> bool:
        user = self.context.get("user")
        return bool(user) and notice.receipts.filter(user=user).exists()
