from rest_framework import serializers

from accounts.models import Branch, DutyShift, User
from contracts.models import Site
from duty.selectors import GapKind


class DutyShiftSerializer(serializers.ModelSerializer):
    """One engineer on duty for a branch (值班): on call or on site, regular, holiday or
    event duty. The service decides who may be put on duty and refuses overlaps (400)."""

    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    engineer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    engineer_name = serializers.SerializerMethodField()
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = DutyShift
        fields = [
            "id",
            "branch",
            "engineer",
            "engineer_name",
            "starts_at",
            "ends_at",
            "kind",
            "mode",
            "site",
            "event",
            "note",
        ]
        read_only_fields = ["id", "engineer_name"]
        validators = []

    def get_engineer_name(self, shift) -> str:
        return shift.engineer.get_full_name() or shift.engineer.username


class DutyShiftChangeSerializer(DutyShiftSerializer):
    """A change: the branch stays."""

    class Meta(DutyShiftSerializer.Meta):
        read_only_fields = [*DutyShiftSerializer.Meta.read_only_fields, "branch"]


class UncoveredSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class DutyGapSerializer(serializers.Serializer):
    """A holiday (00:00–24:00 local time) or an event the branch's shifts leave uncovered."""

    branch = serializers.IntegerField(source="branch.pk")
    day = serializers.DateField()
    kind = serializers.ChoiceField(choices=GapKind.choices)
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    event = serializers.IntegerField(source="event_id", allow_null=True)
    uncovered = serializers.SerializerMethodField()

    def get_uncovered(self, gap) -> list[dict]:
        return UncoveredSerializer(
            [{"starts_at": a, "ends_at": b} for a, b in gap.uncovered], many=True
        ).data


class GapsQuerySerializer(serializers.Serializer):
    branch = serializers.PrimaryKeyRelatedField(queryset=Branch.objects.all())
    days = serializers.IntegerField(min_value=1, max_value=92, default=14, required=False)
