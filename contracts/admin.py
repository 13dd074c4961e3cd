from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contracts.forms import ContractForm
from contracts.models import (
    Calendar,
    CalendarDay,
    Contact,
    Contract,
    ContractTemplate,
    CoveredItem,
    Customer,
    ServiceTerms,
    Site,
    TemplateTerms,
    WorkingWindow,
)
from contracts.phases import Phase
from contracts.services import calendar_import_cn_holidays, contract_apply_template


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "position", "phone", "email", "is_primary", "user"]
    raw_id_fields = ["user"]


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "address", "region", "branch"]


class CoveredItemInline(admin.TabularInline):
    model = CoveredItem
    extra = 0
    fields = ["name", "kind", "model", "serial_number", "site", "installed_on"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "region", "contract_count"]
    list_filter = ["region"]
    search_fields = ["name", "short_name", "contacts__phone_normalized", "contacts__name"]
    inlines = [ContactInline, SiteInline, CoveredItemInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_contracts=Count("contracts"))

    @admin.display(description=_("contracts"), ordering="_contracts")
    def contract_count(self, obj: Customer) -> int:
        return obj._contracts


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "position", "phone", "email", "is_primary"]
    list_filter = ["is_primary", "customer"]
    search_fields = ["name", "phone", "phone_normalized", "email", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "region", "branch", "address"]
    list_filter = ["region", "branch"]
    search_fields = ["name", "address", "customer__name"]
    list_select_related = ["customer", "branch"]


@admin.register(CoveredItem)
class CoveredItemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "model", "serial_number", "customer", "site", "installed_on"]
    list_filter = ["kind", "customer"]
    search_fields = ["name", "model", "serial_number", "customer__name"]
    list_select_related = ["customer", "site__customer"]


class ServiceTermsInline(admin.TabularInline):
    model = ServiceTerms
    extra = 0
    fields = TemplateTerms.TERM_FIELDS


class PhaseFilter(admin.SimpleListFilter):
    title = _("current phase")
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return Phase.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        today = timezone.localdate()
        # The phase is a function of dates and months, so it is decided in
        # Python; contracts number in the thousands, not millions.
        ids = [c.pk for c in queryset.only(*_PHASE_FIELDS) if c.phase_on(today) == self.value()]
        return queryset.filter(pk__in=ids)


_PHASE_FIELDS = [
    "pk",
    "signed_on",
    "final_acceptance_on",
    "warranty_months",
    "after_warranty",
    "maintenance_ends_on",
]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractForm
    list_display = [
        "number",
        "title",
        "customer",
        "current_phase_display",
        "final_acceptance_on",
        "warranty_end_display",
        "after_warranty",
        "branch",
        "service_manager",
    ]
    list_filter = [PhaseFilter, "after_warranty", "branch", "template"]
    search_fields = ["number", "title", "customer__name", "customer__short_name"]
    list_select_related = ["customer", "branch", "service_manager"]
    date_hierarchy = "signed_on"
    filter_horizontal = ["sites", "covered_items"]
    readonly_fields = ["current_phase_display", "warranty_start_display", "warranty_end_display"]
    inlines = [ServiceTermsInline]
    actions = ["apply_template"]
    fieldsets = [
        (None, {"fields": ["number", "title", "customer", "template"]}),
        (
            _("Dates and phases"),
            {
                "fields": [
                    "signed_on",
                    "final_acceptance_on",
                    "warranty_months",
                    "after_warranty",
                    "maintenance_ends_on",
                    "current_phase_display",
                    "warranty_start_display",
                    "warranty_end_display",
                ]
            },
        ),
        (_("Scope"), {"fields": ["sites", "covered_items", "substitute_device_hours"]}),
        (_("Service organisation"), {"fields": ["branch", "service_manager"]}),
        (
            _("SLA compliance targets"),
            {"fields": ["compliance_target_percent", "compliance_warn_below_percent"]},
        ),
    ]

    @admin.display(description=_("current phase"))
    def current_phase_display(self, obj: Contract) -> str:
        if obj.pk is None or not obj.signed_on or not obj.warranty_months:
            return "-"
        return obj.current_phase.label

    @admin.display(description=_("warranty starts"))
    def warranty_start_display(self, obj: Contract):
        return obj.warranty_start or "-"

    @admin.display(description=_("warranty ends"))
    def warranty_end_display(self, obj: Contract):
        return obj.warranty_end or "-"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        contract = form.instance
        # A new contract picked from a template starts with the template's terms.
        if contract.template_id and not contract.terms.exists():
            contract_apply_template(contract=contract, template=contract.template)
            self.message_user(
                request, _("The terms of template “%s” were copied.") % contract.template
            )

    @admin.action(description=_("Replace terms with those of the contract's template"))
    def apply_template(self, request, queryset):
        done = 0
        for contract in queryset.select_related("template"):
            if contract.template is None:
                continue
            contract_apply_template(contract=contract, template=contract.template)
            done += 1
        self.message_user(
            request,
            ngettext("%d contract updated.", "%d contracts updated.", done) % done,
            messages.SUCCESS,
        )


class TemplateTermsInline(admin.TabularInline):
    model = TemplateTerms
    extra = 0
    fields = TemplateTerms.TERM_FIELDS


@admin.register(ContractTemplate)
class ContractTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "warranty_months", "after_warranty", "substitute_device_hours"]
    list_filter = ["after_warranty"]
    search_fields = ["name", "code", "source"]
    inlines = [TemplateTermsInline]


class WorkingWindowInline(admin.TabularInline):
    model = WorkingWindow
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "timezone"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    inlines = [WorkingWindowInline, CalendarDayInline]
    actions = ["import_holidays"]

    @admin.action(description=_("Import mainland China holidays for this year and next"))
    def import_holidays(self, request, queryset):
        year = timezone.localdate().year
        for calendar in queryset.filter(kind=Calendar.Kind.BUSINESS_HOURS):
            added = calendar_import_cn_holidays(calendar=calendar, years=[year, year + 1])
            for y, count in added.items():
                level = messages.SUCCESS if count else messages.WARNING
                self.message_user(
                    request,
                    _("%(calendar)s, %(year)s: %(count)d days added.")
                    % {"calendar": calendar, "year": y, "count": count},
                    level,
                )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "calendar", "follows_weekday"]
    list_filter = ["kind", "calendar"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]
