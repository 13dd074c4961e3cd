from django.contrib import admin

from inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
    InspectionAlert,
    InspectionEvent,
    InspectionPhoto,
    InspectionPlan,
    InspectionResult,
    Rectification,
)


class SectionInline(admin.TabularInline):
    model = ChecklistSection
    extra = 0
    fields = ["order", "title"]
    show_change_link = True


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    inlines = [SectionInline]


class ItemInline(admin.StackedInline):
    model = ChecklistItem
    extra = 0
    fields = [
        ("order", "text"),
        "guidance",
        ("answer_kind", "unit"),
        ("min_value", "max_value", "change_threshold_percent"),
        ("required", "photo_required"),
    ]


@admin.register(ChecklistSection)
class ChecklistSectionAdmin(admin.ModelAdmin):
    list_display = ["title", "template", "order"]
    list_filter = ["template"]
    inlines = [ItemInline]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ["contract", "site", "template", "cycle", "engineer", "starts_on", "is_active"]
    list_filter = ["cycle", "is_active"]
    search_fields = ["contract__number", "site__name"]
    autocomplete_fields = ["contract", "engineer"]
    list_select_related = ["contract", "site", "template", "engineer"]


class ResultInline(admin.TabularInline):
    model = InspectionResult
    extra = 0
    can_delete = False
    fields = ["item", "passed", "value", "text", "note", "anomaly", "anomaly_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RectificationInline(admin.TabularInline):
    model = Rectification
    extra = 0
    fields = ["description", "owner", "due_on", "status", "ticket"]
    # The status changes only through the rectification services, which record the event.
    readonly_fields = ["status", "ticket"]
    autocomplete_fields = ["owner"]


class EventInline(admin.TabularInline):
    """The inspection's history: every status change, its rectifications' included."""

    model = InspectionEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "rectification", "action", "from_state", "to_state", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "rectification")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """Read-mostly: inspections change through their workflow on the inspection pages."""

    list_display = ["contract", "site", "template", "due_on", "engineer", "state"]
    list_filter = ["state", "template"]
    search_fields = ["contract__number", "site__name"]
    date_hierarchy = "due_on"
    list_select_related = ["contract", "site", "template", "engineer"]
    autocomplete_fields = ["engineer"]
    readonly_fields = [
        "plan",
        "contract",
        "site",
        "template",
        "state",
        "started_at",
        "submitted_at",
        "approved_at",
        "approved_by",
        "review_note",
        "summary",
        "signed_at",
        "signer_name",
        "signature",
    ]
    fields = ["engineer", "due_on", *readonly_fields]
    inlines = [ResultInline, RectificationInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["state"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["plan", "contract", "site", "template", "engineer", "due_on"]
        return self.fields


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ["description", "inspection", "owner", "due_on", "status", "ticket"]
    list_filter = ["status"]
    search_fields = ["description", "inspection__contract__number"]
    list_select_related = ["inspection__contract", "owner", "ticket"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["inspection", "result", "ticket", "verified_by"]
    readonly_fields = ["status"]


@admin.register(InspectionAlert)
class InspectionAlertAdmin(admin.ModelAdmin):
    list_display = ["inspection", "kind", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["inspection"]


@admin.register(InspectionPhoto)
class InspectionPhotoAdmin(admin.ModelAdmin):
    list_display = ["result", "taken_by", "created_at"]
    raw_id_fields = ["result", "taken_by"]
