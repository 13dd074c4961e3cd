"""Administration of satisfaction: the questionnaire builder; surveys, return visits and the
reports issued to customers to read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from reports.models import (
    IssuedReport,
    Question,
    Questionnaire,
    ReturnVisit,
    Survey,
    SurveyAnswer,
)
from reports.selectors import issued_reports_visible_to


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ["order", "text", "kind", "required"]
    ordering = ["order", "pk"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_active", "question_count", "updated_at"]
    list_filter = ["is_active", "code"]
    search_fields = ["name", "code"]
    ordering = ["code", "-version"]
    fields = ["name", "code", "version", "is_active", "intro"]
    inlines = [QuestionInline]

    @admin.display(description=_("questions"))
    def question_count(self, obj) -> int:
        return obj.questions.count()


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered")), ("no", _("Not answered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    extra = 0
    fields = ["question", "rating", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = [
        "contract",
        "contact",
        "questionnaire",
        "period_start",
        "sent_at",
        "reminded_at",
        "answered_at",
    ]
    list_filter = [AnsweredFilter, "period_start", "questionnaire"]
    search_fields = ["contract__number", "contract__customer__name", "contact__name"]
    date_hierarchy = "period_start"
    list_select_related = ["contract", "contact__customer", "questionnaire"]
    readonly_fields = [
        "questionnaire",
        "contract",
        "contact",
        "period_start",
        "period_end",
        "sent_at",
        "reminded_at",
        "answered_at",
    ]
    inlines = [SurveyAnswerInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReturnVisit)
class ReturnVisitAdmin(admin.ModelAdmin):
    list_display = ["ticket", "called_at", "agent", "reached", "score"]
    list_filter = ["reached", "score", "called_at"]
    search_fields = ["ticket__number", "ticket__customer__name", "answers", "follow_up"]
    date_hierarchy = "called_at"
    list_select_related = ["ticket", "agent"]
    readonly_fields = ["ticket", "agent", "called_at"]
    fields = ["ticket", "agent", "called_at", "reached", "score", "answers", "follow_up"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IssuedReport)
class IssuedReportAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Issued on the reports page or through the API (reports.issued, which renders, versions
    and tells the customer); read here, through the one rule of who sees which."""

    list_display = ["customer", "kind", "year", "version", "status", "issued_by", "issued_at"]
    list_filter = ["kind", "year", "job__status"]
    search_fields = ["customer__name"]
    date_hierarchy = "issued_at"
    fields = ["customer", "kind", "year", "version", "status", "issued_by", "issued_at", "job"]
    readonly_fields = fields

    def get_queryset(self, request):
        return issued_reports_visible_to(request.user, super().get_queryset(request))

    @admin.display(description=_("status"), ordering="job__status")
    def status(self, obj) -> str:
        return obj.job.get_status_display()
