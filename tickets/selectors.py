"""Reads behind the pages: who sees which tickets, the queue, an engineer's day, dispatch
suggestions, the caller found by what they said, the files hung on a ticket."""

from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.roles import DESK_ROLES, Role
from accounts.selectors import customer_id_of, role_of, service_managers, shifts_on_duty
from contracts.models import CoveredItem, Customer, Site
from contracts.selectors import MIN_PHONE_SUFFIX, contacts_by_phone, contracts_with_terms
from core.phones import normalize_phone
from tickets.models import (
    FINISHED_STATES,
    OPEN_STATES,
    UNACKNOWLEDGED,
    Attachment,
    CheckIn,
    ClockPause,
    EscalationRule,
    Notification,
    SignOff,
    SlaClock,
    Ticket,
    WorkLog,
)
from tickets.models.clocks import ticket_breached_q

RUNNING = [SlaClock.Status.RUNNING, SlaClock.Status.BREACHED]


def clocks_prefetch() -> Prefetch:
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.select_related("calendar").prefetch_related(
            Prefetch("pauses", queryset=ClockPause.objects.order_by("started_at"))
        ),
    )


def tickets_visible_to(user, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The one rule of who sees which tickets: the desk (agents, managers, leaders) all;
    engineers their own tickets and their branch's queue; customer contacts their
    organisation's. Pages, downloads, the API and every ticket admin ask it."""
    role = role_of(user)
    if role in DESK_ROLES:
        return queryset
    if role == Role.ENGINEER:
        condition = Q(assigned_engineer=user)
        if user.branch_id:
            condition |= Q(branch_id=user.branch_id)
        return queryset.filter(condition)
    if role == Role.CUSTOMER and customer_id_of(user):
        return queryset.filter(customer_id=customer_id_of(user))
    return queryset.none()


def ticket_records_visible_to(
    user, queryset: QuerySet, *, ticket_field: str = "ticket", unlinked: bool = False
) -> QuerySet:
    """Rows that hang off a ticket (clocks, events, steps, notifications, check-ins…)
    are visible exactly when their ticket is: the rule above, never restated.

    `ticket_field` is the lookup path to the ticket (`"clock__ticket"` for a pause);
    `unlinked` keeps rows whose ticket is empty (a notification about no ticket).
    """
    tickets = tickets_visible_to(user, Ticket.objects.all())
    if not tickets.query.has_filters():
        return queryset
    condition = Q(**{f"{ticket_field}__in": tickets.values("pk")})
    if unlinked:
        condition |= Q(**{f"{ticket_field}__isnull": True})
    return queryset.filter(condition)


def ticket_visible(user, ticket: Ticket) -> bool:
    """Whether this user may read this ticket: the rule above, asked about one row."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return tickets_visible_to(user, Ticket.objects.filter(pk=ticket.pk)).exists()


def ticket_by_number(*, user, number: str) -> Ticket | None:
    """The ticket of a ticket page (staff or portal), if the user may see it; None otherwise,
    which the pages answer with 404, so a number one may not see tells nothing."""
    return (
        tickets_visible_to(user, Ticket.objects.all())
        .select_related(
            "customer",
            "contact",
            "site__branch",
            "contract",
            "covered_item",
            "assigned_engineer",
            "fault_report",
            "rating",
        )
        .prefetch_related(clocks_prefetch())
        .filter(number=number)
        .first()
    )


def queue_clocks_prefetch() -> Prefetch:
    """Only what a queue row shows of its clocks: no calendars, no pauses."""
    return Prefetch(
        "clocks",
        queryset=SlaClock.objects.only(
            "ticket_id", "kind", "status", "target_at", "at_risk_at", "stopped_at", "breached_at"
        ),
    )


def queue_tickets(*, user: User, filters: dict, now: datetime) -> QuerySet[Ticket]:
    """The hotline queue: unacknowledged first, then by the time left before the next breach.

    Open tickets only unless a state filter says otherwise.
    """
    queryset = tickets_visible_to(user, Ticket.objects.all())
    states = filters.get("state") or []
    queryset = (
        queryset.filter(state__in=states) if states else queryset.filter(state__in=OPEN_STATES)
    )
    for field, key in [
        ("priority", "priority"),
        ("kind", "kind"),
        ("customer_id", "customer"),
        ("branch_id", "branch"),
        ("assigned_engineer_id", "engineer"),
    ]:
        if filters.get(key):
            queryset = queryset.filter(**{f"{field}__in": filters[key]})
    if filters.get("breached"):
        queryset = queryset.filter(ticket_breached_q(now))
    # The stored nearest deadline (Ticket.next_deadline) and the index ticket_queue_order
    # make the first page a read of the index's top rows, whatever the history's size.
    return queryset.annotate(unacknowledged=UNACKNOWLEDGED).order_by(
        F("unacknowledged").desc(), F("next_deadline").asc(nulls_last=True), "reported_at", "pk"
    )


def queue_page(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The rows of one queue page with what they display (their clocks: `queue_clocks`)."""
    return tickets.select_related("customer", "site", "assigned_engineer")


def queue_clocks(*, ticket_ids: list[int]) -> dict[int, list]:
    """What a queue row shows of its tickets' clocks, as plain rows by ticket id, in one query.

    Plain rows rather than model instances: a page has three clocks per ticket, and
    `clock_outcome` reads only these fields.
    """
    rows = SlaClock.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id",
        "kind",
        "status",
        "target_at",
        "at_risk_at",
        "stopped_at",
        "breached_at",
        named=True,
    )
    found: dict[int, list] = {}
    for row in rows.order_by():
        found.setdefault(row.ticket_id, []).append(row)
    return found


def engineer_tickets(*, user: User) -> QuerySet[Ticket]:
    """The engineer's own open tickets, nearest deadline first."""
    queryset = Ticket.objects.filter(assigned_engineer=user, state__in=OPEN_STATES)
    return (
        queryset.select_related("customer", "site")
        .prefetch_related(queue_clocks_prefetch())
        .order_by(F("next_deadline").asc(nulls_last=True), "reported_at", "pk")
    )


def engineers_suggested(*, ticket: Ticket, now: datetime) -> list[User]:
    """Engineers to dispatch: on duty for the site's branch now first, then the branch's least busy.

    Engineers of other branches follow, so a short-staffed branch can borrow.
    """
    on_duty = shifts_on_duty(now=now).filter(engineer=OuterRef("pk"))
    engineers = (
        User.objects.filter(is_active=True, groups__name=Role.ENGINEER)
        .select_related("branch")
        .annotate(
            # A count per engineer over the (engineer, state) index reads their open
            # tickets only; a join would read every ticket they ever had.
            open_tickets=Coalesce(
                Subquery(
                    Ticket.objects.filter(assigned_engineer=OuterRef("pk"), state__in=OPEN_STATES)
                    .order_by()
                    .values("assigned_engineer")
                    .annotate(n=Count("*"))
                    .values("n")
                ),
                0,
            ),
            on_duty=Exists(on_duty),
            # On site or on call (DutyShift.Mode), for the dispatch list to say so.
            duty_mode=Subquery(on_duty.order_by("-mode").values("mode")[:1]),
            same_branch=Case(
                When(branch_id=ticket.branch_id, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by(F("same_branch").desc(), F("on_duty").desc(), "open_tickets", "username")
    )
    return list(engineers)


def caller_lookup(*, query: str, limit: int = 8) -> list:
    """Customers matching what the caller said: phone, name, contract number or serial.

    Returns customers with contacts, sites, items, contracts (with terms) and
    open tickets prefetched, the ones matched by phone first.
    """
    query = query.replace("\x00", "").strip()
    if len(query) < 2:
        return []
    by_phone = list(contacts_by_phone(phone=query).values_list("customer_id", flat=True))
    ids = list(dict.fromkeys(by_phone))
    matches = (
        Customer.objects.filter(
            Q(name__icontains=query)
            | Q(short_name__icontains=query)
            | Q(contracts__number__icontains=query)
            | Q(items__serial_number__iexact=query)
            | Q(contacts__name=query)
        )
        .values_list("pk", flat=True)
        .distinct()[: limit * 2]
    )
    ids += [pk for pk in matches if pk not in ids]
    ids = ids[:limit]
    customers = Customer.objects.filter(pk__in=ids).prefetch_related(
        "contacts",
        Prefetch("sites", queryset=Site.objects.select_related("branch")),
        Prefetch("items", queryset=CoveredItem.objects.select_related("site")),
        Prefetch("contracts", queryset=contracts_with_terms()),
        Prefetch(
            "tickets",
            queryset=Ticket.objects.filter(state__in=OPEN_STATES).order_by("-reported_at"),
            to_attr="open_tickets",
        ),
    )
    order = {pk: i for i, pk in enumerate(ids)}
    found = sorted(customers, key=lambda c: order[c.pk])
    digits = normalize_phone(query)
    for customer in found:
        customer.callers = (
            [c for c in customer.contacts.all() if digits and c.phone_normalized.endswith(digits)]
            if len(digits) >= MIN_PHONE_SUFFIX
            else []
        )
        # A serial number names the item, and so the site it stands at.
        customer.matched_items = [
            i for i in customer.items.all() if i.serial_number.lower() == query.lower()
        ]
    return found


def customers_duty_mark(customers: list, *, now: datetime) -> None:
    """Mark each customer found by the lookup with who is on duty now at the branches that
    serve its sites and contracts (`customer.on_duty`, on site first): one query for all,
    over the prefetched sites and contracts."""
    branches = {
        customer.pk: {s.branch_id for s in customer.sites.all() if s.branch_id}
        | {c.branch_id for c in customer.contracts.all() if c.branch_id}
        for customer in customers
    }
    wanted = set().union(*branches.values()) if branches else set()
    shifts = list(shifts_on_duty(now=now, branch_ids=wanted)) if wanted else []
    for customer in customers:
        customer.on_duty = [s for s in shifts if s.branch_id in branches[customer.pk]]


# The files hung on a ticket, by the kind in their download address:
# (model, file field, whether its customer contacts may read it too; staff who may see
# the ticket always may).
FILE_SOURCES = {
    "attachment": (Attachment, "file", True),
    "check-in": (CheckIn, "photo", False),
    "work-log": (WorkLog, "photo", False),
    "sign-off": (SignOff, "image", True),
}


def ticket_file(*, user, kind: str, pk: int):
    """(stored file, download name) of a ticket's file this user may read, or None."""
    if kind not in FILE_SOURCES:
        return None
    model, field, customers_too = FILE_SOURCES[kind]
    record = model.objects.filter(pk=pk).first()
    if record is None:
        return None
    visible = tickets_visible_to(user, Ticket.objects.filter(pk=record.ticket_id))
    if not visible.exists() or (role_of(user) == Role.CUSTOMER and not customers_too):
        return None
    stored = getattr(record, field)
    if not stored:
        return None
    return stored, getattr(record, "name", "") or stored.name.rsplit("/", 1)[-1]


# Notifications ------------------------------------------------------------------------------


def notification_withdrawn_q() -> Q:
    """A warning ("75 % of the time used") stops mattering once its clock has stopped (met or
    not needed) or its ticket is finished: it is withdrawn, greyed, and no longer unread."""
    return Q(step__kind=EscalationRule.Kind.WARNING) & (
        Q(step__clock__stopped_at__isnull=False)
        | Q(step__clock__status__in=[SlaClock.Status.MET, SlaClock.Status.CANCELLED])
        | Q(step__ticket__state__in=FINISHED_STATES)
    )


def notifications_of(user: User) -> QuerySet:
    """A person's notifications, newest first, each with `withdrawn` (notification_withdrawn_q,
    stored) and `unread` (still to be read and still mattering): what the header's badge, the
    page and the API all count."""
    return (
        Notification.objects.filter(user=user)
        .annotate(
            unread=Case(
                When(read_at__isnull=True, withdrawn=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(user: User) -> int:
    """Unread notifications that still matter (withdrawn warnings do not count): one count on
    the partial index `notification_user_badge`, whatever the history."""
    return Notification.objects.filter(user=user, read_at__isnull=True, withdrawn=False).count()


def ticket_contact_user(ticket: Ticket) -> User | None:
    """The portal login of the contact who reported the ticket, if they have one: who is
    told of our answers and asked to confirm."""
    return ticket.contact.user if ticket.contact_id and ticket.contact.user_id else None


def service_managers_of(ticket: Ticket) -> list[User]:
    """Who manages the service a ticket is under (change requests, complaints)."""
    manager = ticket.contract.service_manager if ticket.contract_id else None
    return service_managers(manager=manager, branch_id=ticket.branch_id)
