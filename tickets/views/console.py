"""The hotline console and the staff ticket page: log a call, work the queue, act on a ticket."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.selectors import role_of, tickets_visible_to
from contracts.phases import SERVICE_PHASES
from contracts.selectors import caller_lookup
from core.inputs import clean_values, posted_text
from tickets import clocks as clock_services
from tickets.forms import CallForm, CommentForm, FaultReportForm, RemoteRequestForm
from tickets.models import Kind, Outcome, State, Ticket
from tickets.models.clocks import ticket_alert
from tickets.selectors import clocks_prefetch, engineers_suggested, queue_page, queue_tickets
from tickets.services.attachments import ticket_attach
from tickets.services.creation import ticket_create
from tickets.services.priority import ticket_change_priority
from tickets.services.transitions import (
    ACTION_LABELS,
    ticket_acknowledge,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
    transitions_available,
)
from tickets.timeline import ticket_timeline
from tickets.views.common import DESK, STAFF, role_required, run_action
from tickets.work import (
    comment_add,
    remote_access_request,
    sign_off_record,
    ticket_accept,
    ticket_check_in,
    work_log_add,
)

# Actions posted as a plain button; the others have their own form.
SIMPLE_ACTIONS = {
    "acknowledge",
    "depart",
    "confirm",
    "close",
    "wait_customer",
    "resume",
    "reopen",
    "cancel",
    "approve",
    "reject",
    "start_work",
    "complete",
    "accept",
}


def _staff_ticket(request, number: str) -> Ticket:
    queryset = tickets_visible_to(request.user, Ticket.objects.all())
    ticket = (
        queryset.select_related(
            "customer", "contact", "site__branch", "contract", "covered_item", "assigned_engineer"
        )
        .prefetch_related(clocks_prefetch())
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


QUEUE_FILTERS = ["state", "priority", "kind", "customer", "branch", "engineer"]
# A hotline agent works the top of the queue; fifty rows fit two screens.
QUEUE_PAGE_SIZE = 50


@role_required(*STAFF)
def queue(request):
    now = timezone.now()
    filters = {key: clean_values(request.GET.getlist(key)) for key in QUEUE_FILTERS}
    for key in ["customer", "branch", "engineer"]:
        filters[key] = [v for v in filters[key] if v.isdigit()]
    if request.GET.get("mine") and role_of(request.user) == "engineer":
        filters["engineer"] = [str(request.user.pk)]
    filters["breached"] = request.GET.get("breached") == "1"
    ordered = queue_tickets(user=request.user, filters=filters, now=now)
    page = Paginator(ordered, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    bounds = slice(page.start_index() - 1, page.end_index())
    tickets = list(queue_page(ordered)[bounds]) if page.paginator.count else []
    for item in tickets:
        _mark_deadline(item, now)
    query = request.GET.copy()
    query.pop("page", None)
    from accounts.models import Branch
    from contracts.models import Customer

    context = {
        "tickets": tickets,
        "page": page,
        "query": query.urlencode(),
        "now": now,
        "filters": filters,
        "states": State.choices,
        "kinds": Kind.choices,
        "priorities": Ticket._meta.get_field("priority").choices,
        "customers": Customer.objects.order_by("name").only("pk", "name"),
        "branches": Branch.objects.order_by("name").only("pk", "name"),
        "engineers": User.objects.filter(groups__name="engineer", is_active=True).order_by(
            "username"
        ),
    }
    return render(request, "desk/queue.html", context)


def time_left(deadline, now) -> str:
    """The countdown as the page shows it before (or without) JavaScript."""
    seconds = int((deadline - now).total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{sign}{days}d {text}" if days else f"{sign}{text}"


def _mark_deadline(ticket: Ticket, now) -> None:
    """Countdown of the clock that falls due first; breached or at risk by the clocks' outcomes."""
    running = [c for c in ticket.clocks.all() if c.stopped_at is None and c.target_at is not None]
    first = min(running, key=lambda c: c.target_at, default=None)
    alert = ticket_alert(ticket.clocks.all(), now)
    ticket.deadline_clock = first
    ticket.is_breached = alert == Outcome.BREACHED
    ticket.is_at_risk = alert == Outcome.AT_RISK
    ticket.time_left = time_left(first.target_at, now) if first else ""


def _lookup_context(query: str) -> dict:
    customers = caller_lookup(query=query)
    now = timezone.now()
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


@role_required(*DESK)
def lookup(request):
    """The lookup panel alone, for the search-as-you-type script."""
    return render(request, "desk/_lookup.html", _lookup_context(request.GET.get("q", "")[:100]))


@role_required(*DESK)
def call(request):
    """Log a call in one screen: find the caller, see contract and terms, create, acknowledge."""
    query = request.GET.get("q", "")[:100].strip()
    context = _lookup_context(query) if query else {"customers": [], "query": ""}
    chosen = None
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    if customer_id and str(customer_id).isdigit():
        from contracts.models import Customer

        chosen = Customer.objects.filter(pk=customer_id).first()
    elif len(context["customers"]) == 1:
        chosen = context["customers"][0]
    if request.method == "POST":
        form = CallForm(request.POST, customer=chosen)
        if form.is_valid():
            ticket = _create_from_form(request, form)
            if ticket is not None:
                messages.success(
                    request, _("Ticket %(number)s logged.") % {"number": ticket.number}
                )
                return redirect("desk:ticket", number=ticket.number)
    else:
        form = CallForm(customer=chosen)
        if chosen is not None:
            # The caller found by phone, and the only site or item, are the likely answers.
            callers = getattr(chosen, "callers", [])
            if callers:
                form.fields["contact"].initial = callers[0].pk
            for name in ("site", "covered_item"):
                options = list(form.fields[name].queryset[:2])
                if len(options) == 1:
                    form.fields[name].initial = options[0].pk
    if chosen is not None and not query:
        context = _lookup_context(chosen.name)
        context["query"] = ""
    context.update({"form": form, "chosen": chosen})
    return render(request, "desk/call.html", context)


def _create_from_form(request, form: CallForm) -> Ticket | None:
    """Log the call, and acknowledge it if the agent has responded; errors go on the form."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
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
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None
    return ticket


@role_required(*STAFF)
def ticket(request, number: str):
    ticket = _staff_ticket(request, number)
    now = timezone.now()
    available = transitions_available(ticket, request.user)
    is_engineer_here = ticket.assigned_engineer_id == request.user.pk
    context = {
        "ticket": ticket,
        "now": now,
        "clock_rows": clock_services.clock_rows(ticket, now=now, explain=True),
        "timeline": ticket_timeline(ticket, include_internal=True),
        "buttons": [(name, ACTION_LABELS[name]) for name in available if name in SIMPLE_ACTIONS],
        "can": set(available),
        "comment_form": CommentForm(),
        "report_form": FaultReportForm(initial=_report_initial(ticket)),
        "remote_form": RemoteRequestForm(),
        "suggested": engineers_suggested(ticket=ticket, now=now) if "dispatch" in available else [],
        "can_accept": is_engineer_here
        and ticket.state == State.DISPATCHED
        and not ticket.accepted_at,
        "is_engineer_here": is_engineer_here,
        "can_change_priority": role_of(request.user) in ("agent", "manager", "admin")
        and ticket.is_open,
        "priorities": Ticket._meta.get_field("priority").choices,
        "attachments": ticket.attachments.all(),
        "remote_requests": ticket.remote_requests.select_related("requested_by", "decided_by"),
        "sign_off": getattr(ticket, "sign_off", None),
    }
    return render(request, "desk/ticket.html", context)


def _report_initial(ticket: Ticket) -> dict:
    report = getattr(ticket, "fault_report", None)
    if report is None:
        return {"symptoms": ticket.description}
    return {
        f: getattr(report, f) for f in ["symptoms", "analysis", "cause", "solution", "prevention"]
    }


def _back(number: str):
    return redirect("desk:ticket", number=number)


@require_POST
@role_required(*STAFF)
def transition(request, number: str, action: str):
    ticket = _staff_ticket(request, number)
    if action not in SIMPLE_ACTIONS:
        raise Http404
    run_action(
        request,
        lambda: ticket_transition(
            ticket_id=ticket.pk,
            name=action,
            user=request.user,
            note=posted_text(request.POST, "note", max_length=2000),
        ),
        success=_("Done: %(action)s.") % {"action": ACTION_LABELS[action]},
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def dispatch_engineer(request, number: str):
    ticket = _staff_ticket(request, number)
    engineer = (
        User.objects.filter(pk=request.POST.get("engineer") or None).first()
        if (request.POST.get("engineer", "").isdigit())
        else None
    )
    if engineer is None:
        messages.error(request, _("Choose an engineer."))
        return _back(number)
    run_action(
        request,
        lambda: ticket_dispatch(ticket_id=ticket.pk, user=request.user, engineer=engineer),
        success=_("Dispatched to %(name)s.") % {"name": engineer.get_full_name() or engineer},
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def change_priority(request, number: str):
    ticket = _staff_ticket(request, number)
    run_action(
        request,
        lambda: ticket_change_priority(
            ticket_id=ticket.pk,
            user=request.user,
            priority=posted_text(request.POST, "priority"),
            note=posted_text(request.POST, "note", max_length=2000),
        ),
        success=_("Priority changed; the clocks were recomputed."),
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def comment(request, number: str):
    ticket = _staff_ticket(request, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write something first."))
        return _back(number)
    run_action(
        request,
        lambda: comment_add(
            ticket=ticket,
            user=request.user,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data["internal"],
        ),
        success=_("Saved."),
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def attach(request, number: str):
    ticket = _staff_ticket(request, number)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        run_action(
            request,
            lambda: ticket_attach(ticket_id=ticket.pk, user=request.user, file=upload),
            success=_("File attached."),
        )
    return _back(number)


@require_POST
@role_required(*STAFF)
def accept(request, number: str):
    ticket = _staff_ticket(request, number)
    run_action(
        request, lambda: ticket_accept(ticket=ticket, user=request.user), success=_("Accepted.")
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def check_in(request, number: str):
    ticket = _staff_ticket(request, number)
    run_action(
        request,
        lambda: ticket_check_in(
            ticket=ticket,
            user=request.user,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            accuracy=request.POST.get("accuracy"),
            photo=request.FILES.get("photo"),
        ),
        success=_("Checked in on site: the on-site clock has stopped."),
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def work_log(request, number: str):
    ticket = _staff_ticket(request, number)
    run_action(
        request,
        lambda: work_log_add(
            ticket=ticket,
            user=request.user,
            text=posted_text(request.POST, "text"),
            photo=request.FILES.get("photo"),
        ),
        success=_("Work log saved."),
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def resolve(request, number: str):
    ticket = _staff_ticket(request, number)
    form = FaultReportForm(request.POST)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k != "note"}
    run_action(
        request,
        lambda: ticket_resolve(
            ticket_id=ticket.pk,
            user=request.user,
            report=data,
            note=form.cleaned_data.get("note", ""),
        ),
        success=_("Resolved."),
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def sign_off(request, number: str):
    ticket = _staff_ticket(request, number)
    run_action(
        request,
        lambda: sign_off_record(
            ticket=ticket,
            user=request.user,
            signer_name=posted_text(request.POST, "signer_name", max_length=100),
            signature=posted_text(request.POST, "signature"),
        ),
        success=_("Signature saved."),
    )
    return _back(number)


@require_POST
@role_required(*STAFF)
def remote_request(request, number: str):
    ticket = _staff_ticket(request, number)
    form = RemoteRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(number)
    run_action(
        request,
        lambda: remote_access_request(
            ticket=ticket,
            user=request.user,
            reason=form.cleaned_data["reason"],
            minutes=form.cleaned_data["minutes"],
        ),
        success=_("Remote access requested; the customer decides in the portal."),
    )
    return _back(number)
