"""Reads on inspections: who sees which, the lists, and a checklist with last time's values."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.roles import MANAGER_ROLES, Role
from accounts.selectors import customer_id_of, role_of
from inspections.models import (
    OPEN_STATES,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionResult,
    Rectification,
)

# States whose results count as "the previous inspection" for comparison.
COMPARABLE_STATES = (
    Inspection.State.SUBMITTED,
    Inspection.State.APPROVED,
    Inspection.State.SIGNED,
)


def inspections_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Managers, leaders and agents see all; engineers theirs and their branch's;
    customer contacts their organisation's once a manager has approved them (pages,
    photos, signatures, PDFs and rectifications all ask here)."""
    queryset = Inspection.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (*MANAGER_ROLES, Role.AGENT):
        return queryset
    if role == Role.ENGINEER:
        condition = Q(engineer=user)
        if user.branch_id:
            condition |= Q(site__branch_id=user.branch_id)
        return queryset.filter(condition)
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(
            contract__customer_id=customer_id_of(user), state__in=CUSTOMER_STATES
        )
    return queryset.none()


# What a customer may open: reviewed reports only.
CUSTOMER_STATES = (Inspection.State.APPROVED, Inspection.State.SIGNED)


def rectifications_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Rectification.objects.all() if queryset is None else queryset
    visible = inspections_visible_to(user).values("pk")
    return queryset.filter(inspection__in=visible)


def _with_parties(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("contract__customer", "site", "template", "engineer").annotate(
        anomaly_count=Count("results", filter=Q(results__anomaly=True), distinct=True)
    )


def engineer_inspections(user) -> dict[str, list[Inspection]]:
    """The engineer's open inspections (theirs, and unassigned ones of their branch), soonest
    first, and their recent finished ones."""
    mine = inspections_visible_to(user).filter(
        Q(engineer=user) | Q(engineer__isnull=True, site__branch_id=user.branch_id)
    )
    return {
        "open": list(_with_parties(mine.filter(state__in=OPEN_STATES)).order_by("due_on", "pk")),
        "done": list(
            _with_parties(mine.exclude(state__in=OPEN_STATES)).order_by("-due_on", "-pk")[:20]
        ),
    }


MANAGER_FILTERS = {
    "review": [Inspection.State.SUBMITTED],
    "open": list(OPEN_STATES),
    "done": [Inspection.State.APPROVED, Inspection.State.SIGNED],
    "all": None,
}


def manager_inspections(user, *, show: str = "review") -> QuerySet:
    states = MANAGER_FILTERS.get(show, MANAGER_FILTERS["review"])
    queryset = inspections_visible_to(user)
    if states:
        queryset = queryset.filter(state__in=states)
    ordering = ["due_on", "pk"] if show in ("review", "open") else ["-due_on", "-pk"]
    return _with_parties(queryset).order_by(*ordering)


def customer_inspections(user, *, today: date) -> dict[str, list[Inspection]]:
    """Reviewed reports to open, and the coming visits as dates only (the portal lists
    them without a link: their content is not the customer's until approved)."""
    visible = inspections_visible_to(user)
    customer_id = customer_id_of(user) if role_of(user) == Role.CUSTOMER else None
    schedule = (
        Inspection.objects.filter(contract__customer_id=customer_id)
        if customer_id
        else Inspection.objects.none()
    )
    return {
        "reports": list(_with_parties(visible).order_by("-due_on", "-pk")),
        "upcoming": list(
            _with_parties(
                schedule.filter(
                    state__in=[*OPEN_STATES, Inspection.State.SUBMITTED],
                    due_on__gte=today,
                )
            ).order_by("due_on", "pk")[:10]
        ),
    }


def rectifications_list(user, *, show: str = "open") -> QuerySet:
    queryset = rectifications_visible_to(user)
    if show == "open":
        queryset = queryset.exclude(status=Rectification.Status.VERIFIED)
    return queryset.select_related(
        "inspection__contract__customer",
        "inspection__site",
        "result__item",
        "owner",
        "ticket",
        "verified_by",
    ).order_by("status", "due_on", "pk")


def previous_results(inspection: Inspection) -> dict[tuple[str, str], InspectionResult]:
    """The latest earlier result per (section title, item text), from earlier inspections of
    the same contract and site with a checklist of the same code that were submitted or later."""
    earlier = list(
        Inspection.objects.filter(
            contract_id=inspection.contract_id,
            site_id=inspection.site_id,
            template__code=inspection.template.code,
            state__in=COMPARABLE_STATES,
        )
        .filter(Q(due_on__lt=inspection.due_on) | Q(due_on=inspection.due_on, pk__lt=inspection.pk))
        .exclude(pk=inspection.pk)
        .order_by("-due_on", "-pk")
        .values_list("pk", flat=True)[:12]
    )
    if not earlier:
        return {}
    order = {pk: index for index, pk in enumerate(earlier)}
    found: dict[tuple[str, str], InspectionResult] = {}
    results = InspectionResult.objects.filter(inspection_id__in=earlier).select_related(
        "item__section", "inspection"
    )
    for result in sorted(results, key=lambda r: order[r.inspection_id]):
        found.setdefault((result.item.section.title, result.item.text), result)
    return found


@dataclass
class Row:
    item: ChecklistItem
    result: InspectionResult | None
    previous: InspectionResult | None


@dataclass
class Section:
    section: ChecklistSection
    rows: list[Row] = field(default_factory=list)


def checklist_rows(inspection: Inspection) -> list[Section]:
    """The checklist by section, each item with this inspection's result and the previous
    inspection's, in a fixed number of queries."""
    sections = ChecklistSection.objects.filter(template_id=inspection.template_id).prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))
    )
    results = {
        r.item_id: r
        for r in inspection.results.select_related("previous__inspection").prefetch_related(
            "photos", "rectifications"
        )
    }
    earlier = previous_results(inspection)
    out = []
    for section in sections:
        block = Section(section=section)
        for item in section.items.all():
            result = results.get(item.pk)
            previous = (result.previous if result and result.previous_id else None) or earlier.get(
                (section.title, item.text)
            )
            block.rows.append(Row(item=item, result=result, previous=previous))
        out.append(block)
    return out
