from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contracts.forms import ContractForm
from contracts.models import (
    Calendar,
    CalendarDay,
    CalendarYear,
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
from contracts.services import (
    calendar_changed_notify,
    calendar_day_change,
    calendar_import_holidays,
    calendar_year_confirm,
    contract_apply_template,
)


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
        (
            _("Answers"),
            {
                "fields": [
                    "complaint_answer_hours",
                    "trial_small_fix_hours",
                    "trial_large_fix_hours",
                ]
            },
        ),
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


class CalendarYearInline(admin.TabularInline):
    """Which years' holidays are confirmed; changed only through the import and confirm actions."""

    model = CalendarYear
    extra = 0
    fields = ["year", "status", "source", "confirmed_by", "confirmed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CalendarActionForm(ActionForm):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1949,
        max_value=2200,
        help_text=_("Import: blank means this year and next. Confirm: required."),
    )


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "timezone", "years_display"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    inlines = [CalendarYearInline, WorkingWindowInline, CalendarDayInline]
    action_form = CalendarActionForm
    actions = ["import_holidays", "confirm_year"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("years")

    @admin.display(description=_("holiday years"))
    def years_display(self, obj: Calendar) -> str:
        if obj.is_always_on:
            return "-"
        return ", ".join(
            f"{y.year} {y.get_status_display() if not y.is_confirmed else '✓'}"
            for y in obj.years.all()
        ) or _("none")

    def _action_year(self, request) -> int | None:
        form = self.action_form(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        if not form.is_valid():
            return None
        return form.cleaned_data.get("year")

    @admin.action(
        description=_("Import mainland China holidays (confirmed if published, else provisional)"),
        permissions=["change"],
    )
    def import_holidays(self, request, queryset):
        year = self._action_year(request)
        this_year = timezone.localdate().year
        years = [year] if year else [this_year, this_year + 1]
        for calendar in queryset.filter(kind=Calendar.Kind.BUSINESS_HOURS):
            for result in calendar_import_holidays(calendar=calendar, years=years).values():
                values = {"calendar": calendar, "year": result.year, "count": result.added}
                if result.status is None:
                    self.message_user(
                        request,
                        _(
                            "%(calendar)s, %(year)s: no source knows this year's holidays; "
                            "nothing was imported. Enter the days by hand, then confirm the year."
                        )
                        % values,
                        messages.ERROR,
                    )
                elif result.status == CalendarYear.Status.PROVISIONAL:
                    self.message_user(
                        request,
                        _(
                            "%(calendar)s, %(year)s: %(count)d statutory holidays added; the year "
                            "is provisional. Enter the make-up workdays (调休) and bridging days "
                            "of the official notice, then confirm the year."
                        )
                        % values,
                        messages.WARNING,
                    )
                else:
                    self.message_user(
                        request,
                        _("%(calendar)s, %(year)s: %(count)d days added; the year is confirmed.")
                        % values,
                        messages.SUCCESS,
                    )

    @admin.action(
        description=_("Confirm the holidays of the year entered (make-up workdays entered)"),
        permissions=["change"],
    )
    def confirm_year(self, request, queryset):
        year = self._action_year(request)
        if not year:
            self.message_user(request, _("Enter the year to confirm."), messages.ERROR)
            return
        for calendar in queryset:
            try:
                calendar_year_confirm(calendar=calendar, year=year, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{calendar}: {' '.join(exc.messages)}", messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(calendar)s, %(year)s: confirmed; running deadlines are being recomputed.")
                % {"calendar": calendar, "year": year},
                messages.SUCCESS,
            )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"kind", "timezone"} & set(form.changed_data):
            calendar_changed_notify(calendar=obj, changes=[{"what": "windows"}])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        changes: list[dict] = []
        if formset.model is CalendarDay:
            changes += [calendar_day_change(d) for d in formset.new_objects]
            changes += [calendar_day_change(d) for d, _fields in formset.changed_objects]
            changes += [calendar_day_change(d, deleted=True) for d in formset.deleted_objects]
        elif formset.model is WorkingWindow and (
            formset.new_objects or formset.changed_objects or formset.deleted_objects
        ):
            changes.append({"what": "windows"})
        calendar_changed_notify(calendar=form.instance, changes=changes)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "calendar", "follows_weekday"]
    list_filter = ["kind", "calendar"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar_changed_notify(calendar=obj.calendar, changes=[calendar_day_change(obj)])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_changed_notify(
            calendar=obj.calendar, changes=[calendar_day_change(obj, deleted=True)]
        )

    def delete_queryset(self, request, queryset):
        by_calendar: dict[int, tuple[Calendar, list[dict]]] = {}
        for day in queryset.select_related("calendar"):
            entry = by_calendar.setdefault(day.calendar_id, (day.calendar, []))
            entry[1].append(calendar_day_change(day, deleted=True))
        super().delete_queryset(request, queryset)
        for calendar, changes in by_calendar.values():
            calendar_changed_notify(calendar=calendar, changes=changes)
