"""The hotline console: log a call (find the caller, see contract and terms, create,
acknowledge) and work the queue."""

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Branch, User
from accounts.roles import DESK_ROLES, STAFF_ROLES, Role
from accounts.selectors import role_of
from contracts.models import Customer
from contracts.phases import SERVICE_PHASES
from core.inputs import as_id, clean_values
from core.paging import BoundedCountPaginator
from core.web import refusal_to_form, role_required
from tickets.forms import CallForm
from tickets.models import Kind, Outcome, SlaClock, State, Ticket
from tickets.models.clocks import ticket_alert
from tickets.selectors import (
    caller_lookup,
    customers_duty_mark,
    queue_clocks,
    queue_page,
    queue_tickets,
)
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge
from tickets.submissions import form_submit_once

QUEUE_FILTERS = ["state", "priority", "kind", "customer", "branch", "engineer"]
# A hotline agent works the top of the queue; fifty rows fit two screens.
QUEUE_PAGE_SIZE = 50


def _queue_rows(request, now) -> dict:
    """The rows of the queue page the query asks for, under the user's visibility."""
    filters = {key: clean_values(request.GET.getlist(key)) for key in QUEUE_FILTERS}
    for key in ["customer", "branch", "engineer"]:
        filters[key] = [v for v in filters[key] if as_id(v)]
    if request.GET.get("mine") and role_of(request.user) == Role.ENGINEER:
        filters["engineer"] = [str(request.user.pk)]
    filters["breached"] = request.GET.get("breached") == "1"
    ordered = queue_tickets(user=request.user, filters=filters, now=now)
    # Counted up to a limit: the count of every open ticket grew with the desk (21 ms at
    # 100,000 open); past the limit the heading says "10000+" and the pages go on.
    paginator = BoundedCountPaginator(queue_page(ordered), QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    tickets = list(page.object_list) if paginator.count else []
    clocks = queue_clocks(ticket_ids=[t.pk for t in tickets])
    # Labels looked up once per page, not once per row (get_FOO_display translates every
    # choice of the field on each call).
    labels = {
        "kind": {value: str(label) for value, label in Kind.choices},
        "state": {value: str(label) for value, label in State.choices},
        "clock": {value: str(label) for value, label in SlaClock.Kind.choices},
    }
    for item in tickets:
        _mark_deadline(item, clocks.get(item.pk, []), now, labels["clock"])
        item.kind_label = labels["kind"].get(item.kind, item.kind)
        item.state_label = labels["state"].get(item.state, item.state)
    return {"tickets": tickets, "page": page, "filters": filters, "now": now}


@role_required(*STAFF_ROLES)
def queue(request):
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_queue_rows(request, now),
        "query": query.urlencode(),
        "states": State.choices,
        "kinds": Kind.choices,
        "priorities": Ticket._meta.get_field("priority").choices,
        "customers": Customer.objects.order_by("name").only("pk", "name"),
        "branches": Branch.objects.order_by("name").only("pk", "name"),
        "engineers": User.objects.filter(groups__name=Role.ENGINEER, is_active=True).order_by(
            "username"
        ),
    }
    return render(request, "desk/queue.html", context)


@role_required(*STAFF_ROLES)
def queue_rows(request):
    """The queue's rows alone, same filters and page, for the script that refreshes the
    queue every few seconds; the total rides in a header."""
    context = _queue_rows(request, timezone.now())
    response = render(request, "desk/_queue_rows.html", context)
    response["X-Queue-Count"] = context["page"].paginator.count_text
    response["Cache-Control"] = "no-store"
    return response


def time_left(deadline, now) -> str:
    """The countdown as the page shows it before (or without) JavaScript."""
    seconds = int((deadline - now).total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{sign}{days}d {text}" if days else f"{sign}{text}"


def _mark_deadline(ticket: Ticket, clocks: list, now, clock_labels: dict) -> None:
    """Countdown of the clock that falls due first; breached or at risk by the clocks' outcomes."""
    running = [c for c in clocks if c.stopped_at is None and c.target_at is not None]
    first = min(running, key=lambda c: c.target_at, default=None)
    alert = ticket_alert(clocks, now)
    ticket.deadline_clock = first
    ticket.deadline_label = clock_labels.get(first.kind, first.kind) if first else ""
    ticket.is_breached = alert == Outcome.BREACHED
    ticket.is_at_risk = alert == Outcome.AT_RISK
    ticket.time_left = time_left(first.target_at, now) if first else ""


def _lookup_context(query: str) -> dict:
    customers = caller_lookup(query=query)
    now = timezone.now()
    customers_duty_mark(customers, now=now)
    for customer in customers:
        contracts = []
        for contract in customer.contracts.all():
            phase = contract.phase_at(now)
            terms = sorted(
                (t for t in contract.terms.all() if t.phase == phase), key=lambda t: t.priority
            )
            contracts.append({"contract": contract, "phase": phase, "terms": terms})
        customer.contract_rows = contracts
        customer.covered_now = any(row["phase"] in SERVICE_PHASES for row in contracts)
    return {"customers": customers, "query": query}


@role_required(*DESK_ROLES)
def lookup(request):
    """The lookup panel alone, for the search-as-you-type script."""
    return render(request, "desk/_lookup.html", _lookup_context(request.GET.get("q", "")[:100]))


def _chosen_customer(request, context: dict) -> Customer | None:
    """The customer the agent chose (the list or a lookup card), else the only match.

    A customer found by the lookup keeps what the lookup matched (the caller by phone).
    """
    customer_id = str(request.POST.get("customer") or request.GET.get("customer") or "")
    found = {c.pk: c for c in context["customers"]}
    if as_id(customer_id):
        return (
            found.get(as_id(customer_id)) or Customer.objects.filter(pk=as_id(customer_id)).first()
        )
    if len(context["customers"]) == 1:
        return context["customers"][0]
    return None


def _preselect(form: CallForm, chosen: Customer, asked) -> None:
    """Fill in who and where: what the agent picked (a lookup card's caller and site) when it
    belongs to this customer, else the caller found by phone and the only site or item."""
    callers = getattr(chosen, "callers", [])
    if callers:
        form.fields["contact"].initial = callers[0].pk
    items = getattr(chosen, "matched_items", [])
    if items:
        form.fields["covered_item"].initial = items[0].pk
        form.fields["site"].initial = items[0].site_id
    for name in ("site", "covered_item"):
        options = list(form.fields[name].queryset[:2])
        if len(options) == 1 and form.fields[name].initial is None:
            form.fields[name].initial = options[0].pk
    for name in ("contact", "site", "covered_item"):
        value = str(asked.get(name) or "")
        if as_id(value) and form.fields[name].queryset.filter(pk=as_id(value)).exists():
            form.fields[name].initial = as_id(value)


@role_required(*DESK_ROLES)
def call(request):
    """Log a call in one screen: find the caller, see contract and terms, create, acknowledge.

    Changing the customer posts `refresh` (a button without JavaScript): the form comes back
    with that customer's callers and sites and everything typed so far, unvalidated.
    """
    query = request.GET.get("q", "")[:100].strip()
    context = _lookup_context(query) if query else {"customers": [], "query": ""}
    chosen = _chosen_customer(request, context)
    if request.method == "POST" and "refresh" not in request.POST:
        form = CallForm(request.POST, customer=chosen)
        if form.is_valid():
            try:
                # One ticket however often the button is pressed (tickets/submissions.py).
                return form_submit_once(request, lambda: _call_logged(request, form))
            except ValidationError as exc:
                refusal_to_form(form, exc)
    elif request.method == "POST":
        typed = {k: v for k, v in request.POST.items() if k in CallForm.base_fields}
        typed["acknowledge"] = "acknowledge" in request.POST
        form = CallForm(initial=typed, customer=chosen)
        if chosen is not None:
            _preselect(form, chosen, {})
    else:
        form = CallForm(customer=chosen)
        if chosen is not None:
            _preselect(form, chosen, request.GET)
    if chosen is not None and not query:
        context = _lookup_context(chosen.name)
        context["query"] = ""
    context.update({"form": form, "chosen": chosen})
    return render(request, "desk/call.html", context)


@role_required(*DESK_ROLES)
def call_options(request):
    """A customer's callers, sites, items and contracts as the call form lists them, for the
    script that refills the form when the customer changes."""
    customer_id = request.GET.get("customer", "")
    customer = (
        Customer.objects.filter(pk=as_id(customer_id)).first() if as_id(customer_id) else None
    )
    if customer is None:
        raise Http404
    form = CallForm(customer=customer)
    _preselect(form, customer, {})
    options = {
        name: {
            "options": [[str(value), str(label)] for value, label in form.fields[name].choices],
            "initial": str(form.fields[name].initial or ""),
        }
        for name in ("contact", "site", "covered_item", "contract")
    }
    return JsonResponse(options)


def _call_logged(request, form: CallForm) -> tuple[str, str]:
    """Log the call, and acknowledge it if the agent has responded; a refusal rolls both
    back and propagates."""
    data = form.cleaned_data
    ticket = ticket_create(
        created_by=request.user,
        customer=data["customer"],
        contact=data["contact"],
        site=data["site"],
        covered_item=data["covered_item"],
        contract=data["contract"],
        kind=data["kind"],
        priority=data["priority"],
        summary=data["summary"],
        description=data["description"],
        channel="phone",
        reported_at=data["reported_at"],
    )
    if data["acknowledge"] and ticket.kind != Kind.CHANGE_REQUEST:
        ticket_acknowledge(ticket_id=ticket.pk, user=request.user)
    message = _("Ticket %(number)s logged.") % {"number": ticket.number}
    return message, reverse("desk:ticket", args=[ticket.number])
