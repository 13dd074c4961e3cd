from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from contracts.models import Contact, Contract
from training.models import Attendee, Material, TrainingSession


def _flat(detail, prefix="") -> list[str]:
    """Nested errors as the API's one shape, a list of strings: "2 · position: …"."""
    if isinstance(detail, dict):
        return [
            message
            for key, value in detail.items()
            for message in _flat(value, f"{prefix}{key}: " if key != "non_field_errors" else prefix)
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [f"{prefix}{item}" for item in detail]
        return [
            message
            for number, item in enumerate(detail, 1)
            for message in _flat(item, f"{prefix}{number} · ")
            if item
        ]
    return [f"{prefix}{detail}"]


class FlatErrorsListSerializer(serializers.ListSerializer):
    """A nested list whose errors come back flat (field: [strings]), as every API error does."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(_flat(exc.detail)) from exc


class AttendeeSerializer(serializers.ModelSerializer):
    """One person invited: `contact` (one of the customer's contacts) or a typed `name`,
    with organisation and position; `attended` is the sign-in (null: not recorded)."""

    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)

    class Meta:
        model = Attendee
        fields = ["id", "contact", "name", "organisation", "position", "attended"]
        read_only_fields = ["id", "attended"]
        list_serializer_class = FlatErrorsListSerializer


class MaterialSerializer(serializers.ModelSerializer):
    """Files go out through the guarded download page, never a public media URL."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "name", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, material) -> str:
        return reverse("training:material", args=[material.session_id, material.pk])


class TrainingSessionSerializer(serializers.ModelSerializer):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    customer = serializers.CharField(source="contract.customer.name", read_only=True)
    trainer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    attendees = AttendeeSerializer(many=True, required=False)
    materials = MaterialSerializer(many=True, read_only=True)
    signin_sheet_pdf = serializers.SerializerMethodField()
    signed_sheet = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "contract",
            "customer",
            "topic",
            "kind",
            "trainer",
            "trainer_name",
            "starts_at",
            "duration_minutes",
            "place",
            "state",
            "notes",
            "held_at",
            "cancel_reason",
            "attendees",
            "materials",
            "signin_sheet_pdf",
            "signed_sheet",
        ]
        read_only_fields = [
            "id",
            "customer",
            "state",
            "held_at",
            "cancel_reason",
            "materials",
            "signin_sheet_pdf",
            "signed_sheet",
        ]
        extra_kwargs = {"notes": {"max_length": 5000}}
        # The service decides (400 with the field): the trainer, the contacts' customer.
        validators = []

    def get_signin_sheet_pdf(self, session) -> str:
        return reverse("training:signin_pdf", args=[session.pk])

    def get_signed_sheet(self, session) -> str | None:
        if not session.signin_sheet:
            return None
        return reverse("training:signin_sheet", args=[session.pk])


class SessionChangeSerializer(TrainingSessionSerializer):
    """A change: the contract stays; `attendees`, when given, replaces the list invited."""

    class Meta(TrainingSessionSerializer.Meta):
        read_only_fields = [*TrainingSessionSerializer.Meta.read_only_fields, "contract"]


class AttendanceMarkSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    attended = serializers.BooleanField()

    class Meta:
        list_serializer_class = FlatErrorsListSerializer


class AttendanceInputSerializer(serializers.Serializer):
    attendees = AttendanceMarkSerializer(many=True, allow_empty=False, max_length=500)
    hold = serializers.BooleanField(
        required=False, default=False, help_text="Also mark the session held."
    )


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


@extend_schema_field(OpenApiTypes.BINARY)
class _Upload(serializers.FileField):
    """A file sent as multipart form data; its checks are the service's (core.uploads)."""


class MaterialsInputSerializer(serializers.Serializer):
    files = serializers.ListField(child=_Upload(), allow_empty=False, max_length=50)


class SigninSheetInputSerializer(serializers.Serializer):
    file = _Upload()
