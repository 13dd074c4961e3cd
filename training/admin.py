"""Admin: training sessions, their attendees and materials are read here; they are written on
their pages (or the API), whose services check the contract's customer, the attendance
before a session is held, and the one upload policy."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from tickets.admin import ReadOnlyInline
from training.models import Attendee, Material, TrainingSession


class AttendeeInline(ReadOnlyInline):
    model = Attendee
    fields = ["name", "organisation", "position", "contact", "attended"]


class MaterialInline(ReadOnlyInline):
    model = Material
    fields = ["name", "uploaded_by", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["topic", "contract", "kind", "starts_at", "state", "trainer", "trainer_name"]
    list_filter = ["state", "kind"]
    search_fields = ["topic", "contract__number", "contract__customer__name", "trainer_name"]
    list_select_related = ["contract", "trainer"]
    date_hierarchy = "starts_at"
    inlines = [AttendeeInline, MaterialInline]
