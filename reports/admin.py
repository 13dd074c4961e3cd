"""Administration of satisfaction: the questionnaire builder; surveys and return visits to read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reports.models import Question, Questionnaire, ReturnVisit, Survey, SurveyAnswer


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
