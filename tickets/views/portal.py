"""The customer portal: submit a request, follow it, reply, confirm or reopen, rate,
authorise remote access (the contracts page: portal_contracts.py). Only ever the user's
own organisation: anything else is 404."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import Role
from core.inputs import posted_text
from core.web import refusal_to_form, role_required, run_action
from tickets.calendar_years import clock_moved_text
from tickets.change_requests import approval_of, change_accept, change_sign, change_steps_open
from tickets.clock_reading import clock_rows
from tickets.forms import ChangeDecisionForm, RemoteDecisionForm
from tickets.models import (
    FINISHED_STATES,
    OPEN_FIRST,
    OPEN_STATES,
    Channel,
    ComplaintAnswer,
    Kind,
    RemoteAccessRequest,
    State,
    Ticket,
    TicketEvent,
)
from tickets.portal_forms import PortalRequestForm, RatingForm, ReplyForm
from tickets.selectors import clocks_prefetch, ticket_by_number, tickets_visible_to
from tickets.services.attachments import ticket_attach
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_transition, transitions_available
from tickets.submissions import form_submit_once
from tickets.timeline import ticket_timeline
from tickets.trial_answers import trial_state
from tickets.work_services import comment_add, rating_submit, remote_access_decide

# The workflow steps a customer takes from the portal, in the words they see.
CUSTOMER_ACTIONS = {
    "confirm": gettext_lazy("Confirm: it is fixed"),
    "reopen": gettext_lazy("Not fixed: reopen"),
    "cancel": gettext_lazy("Withdraw the request"),
    "accept": gettext_lazy("Accept the change"),
}
DONE_MESSAGES = {
    "confirm": gettext_lazy("Thank you: the ticket is closed."),
    "reopen": gettext_lazy("The ticket is reopened; we are on it again."),
    "cancel": gettext_lazy("The request is withdrawn."),
    "accept": gettext_lazy("Thank you: the change is accepted."),
}
RATABLE_STATES = (State.CLOSED, State.ACCEPTED)
STATE_LABELS = dict(State.choices)
PAGE_SIZE = 25


# Helpers ------------------------------------------------------------------------------------


def _contact(request):
    """The customer contact behind this login; without one there is nothing to show."""
    contact = getattr(request.user, "contact", None)
    if contact is None:
        raise PermissionDenied
    return contact


def _visible_tickets(request):
    return tickets_visible_to(request.user, Ticket.objects.all())


def _get_ticket(request, number: str) -> Ticket:
    """The ticket if this user's organisation owns it; 404 otherwise, never 403."""
    ticket = ticket_by_number(user=request.user, number=number)
    if ticket is None:
        raise Http404
    return ticket


def _decision_form(remote: RemoteAccessRequest, now) -> RemoteDecisionForm:
    """Approve-or-refuse form, with the window proposed from now for the time asked."""
    return RemoteDecisionForm(
        request_obj=remote,
        auto_id=f"id_remote{remote.pk}_%s",
        initial={
            "decision": "approve",
            "window_start": now,
            "window_end": now + timedelta(minutes=remote.minutes),
        },
    )


def _ticket_url(number: str) -> str:
    return reverse("portal:ticket", kwargs={"number": number})


def _back(number: str, anchor: str = ""):
    return redirect(_ticket_url(number) + (f"#{anchor}" if anchor else ""))


def _form_errors_as_messages(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _event_text(event: TicketEvent) -> tuple[str, str]:
    """A history line in the customer's words: (what happened, details)."""
    data = event.data or {}
    if event.kind == TicketEvent.Kind.CREATED:
        return _("Request logged"), event.note
    if event.kind == TicketEvent.Kind.TRANSITION:
        title = _("%(from)s → %(to)s") % {
            "from": STATE_LABELS.get(event.from_state, event.from_state),
            "to": STATE_LABELS.get(event.to_state, event.to_state),
        }
        return title, event.note
    if event.kind == TicketEvent.Kind.PRIORITY:
        title = _("Priority changed from %(from)s to %(to)s") % {
            "from": data.get("from", "?"),
            "to": data.get("to", "?"),
        }
        return title, event.note
    if event.kind == TicketEvent.Kind.ATTACHMENT:
        return _("File attached"), event.note
    if event.kind == TicketEvent.Kind.CLOCK and "changes" in data:
        return _("Promised time changed"), clock_moved_text(data)
    return str(event.get_kind_display()), event.note


# Pages --------------------------------------------------------------------------------------


@role_required(Role.CUSTOMER)
def home(request):
    """Our tickets, open first, with their promised times; remote-access requests on top."""
    now = timezone.now()
    show = request.GET.get("show", "all")
    if show not in ("open", "closed", "all"):
        show = "all"
    visible = _visible_tickets(request)
    queryset = visible
    if show == "open":
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif show == "closed":
        queryset = queryset.exclude(state__in=OPEN_STATES)
    queryset = (
        queryset.annotate(open_first=OPEN_FIRST)
        .select_related("site", "covered_item", "rating")
        .prefetch_related(clocks_prefetch())
        .order_by("open_first", "-reported_at", "-pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for ticket in page:
        rows.append(
            {
                "ticket": ticket,
                "clocks": clock_rows(ticket, now=now),
                "to_confirm": ticket.state == State.RESOLVED,
                "to_rate": ticket.state in RATABLE_STATES and not _has_rating(ticket),
            }
        )
    pending = list(
        RemoteAccessRequest.objects.filter(
            ticket__in=visible.values("pk"), status=RemoteAccessRequest.Status.PENDING
        )
        .select_related("ticket", "requested_by")
        .order_by("created_at")
    )
    context = {
        "rows": rows,
        "page": page,
        "show": show,
        "now": now,
        "pending": [{"remote": r, "form": _decision_form(r, now)} for r in pending],
    }
    return render(request, "portal/home.html", context)


def _has_rating(ticket: Ticket) -> bool:
    # A missing reverse one-to-one raises a subclass of AttributeError.
    return getattr(ticket, "rating", None) is not None


@role_required(Role.CUSTOMER)
def new(request):
    """Submit a request for one of our sites or items, with attachments."""
    contact = _contact(request)
    customer = contact.customer
    if request.method == "POST":
        form = PortalRequestForm(request.POST, request.FILES, customer=customer)
        if form.is_valid():
            try:
                # One ticket however often the button is pressed (tickets/submissions.py).
                return form_submit_once(request, lambda: _request_submitted(request, form, contact))
            except ValidationError as exc:
                refusal_to_form(form, exc)
    else:
        form = PortalRequestForm(customer=customer)
    return render(request, "portal/new.html", {"form": form, "customer": customer})


def _request_submitted(request, form: PortalRequestForm, contact) -> tuple[str, str]:
    """Create the ticket and store its files; a refusal rolls both back and propagates."""
    data = form.cleaned_data
    ticket = ticket_create(
        created_by=request.user,
        customer=contact.customer,
        contact=contact,
        site=data["site"],
        covered_item=data["covered_item"],
        contract=data.get("contract"),
        kind=data["kind"],
        priority=data["priority"],
        summary=data["summary"],
        description=data["description"],
        channel=Channel.PORTAL,
    )
    for upload in data["attachments"]:
        ticket_attach(ticket_id=ticket.pk, user=request.user, file=upload)
    message = _("Request %(number)s submitted. We will answer within the promised time.") % {
        "number": ticket.number
    }
    return message, reverse("portal:ticket", args=[ticket.number])


@role_required(Role.CUSTOMER)
def ticket(request, number: str):
    """One ticket as the customer sees it: no internal notes, no escalations."""
    ticket = _get_ticket(request, number)
    now = timezone.now()
    available = transitions_available(ticket, request.user)
    history, conversation = [], []
    for entry in ticket_timeline(ticket, include_internal=False):
        if entry.kind == "reply":
            conversation.append(entry)
        else:
            title, text = _event_text(entry.detail)
            history.append({"at": entry.at, "who": entry.who, "title": title, "text": text})
    remote_requests = list(
        ticket.remote_requests.select_related("requested_by", "decided_by").order_by("-created_at")
    )
    remote_rows = [
        {
            "remote": remote,
            "form": _decision_form(remote, now)
            if remote.status == RemoteAccessRequest.Status.PENDING
            else None,
        }
        for remote in remote_requests
    ]
    rating = ticket.rating if _has_rating(ticket) else None
    report = getattr(ticket, "fault_report", None)
    context = {
        "ticket": ticket,
        "now": now,
        "clock_rows": clock_rows(ticket, now=now),
        "history": history,
        "conversation": conversation,
        "attachments": ticket.attachments.all(),
        "check_ins": ticket.check_ins.all(),
        "report": report if ticket.state in FINISHED_STATES else None,
        "remote_rows": remote_rows,
        # Reopening is the way back and withdrawing cannot be undone: neither is the next
        # step, so the page offers them apart, folded, each with the words it needs.
        "buttons": [
            (name, label)
            for name, label in CUSTOMER_ACTIONS.items()
            if name in available and name not in ("reopen", "cancel")
        ],
        "reopen_label": CUSTOMER_ACTIONS["reopen"] if "reopen" in available else None,
        "withdraw_label": CUSTOMER_ACTIONS["cancel"] if "cancel" in available else None,
        "reply_form": ReplyForm(),
        "rating": rating,
        "rating_form": RatingForm() if ticket.state in RATABLE_STATES and not rating else None,
        "is_open": ticket.is_open,
        **_change_context(ticket, request.user),
        "complaint": ComplaintAnswer.objects.filter(ticket=ticket).first()
        if ticket.kind == Kind.COMPLAINT
        else None,
        **_trial_context(ticket),
    }
    return render(request, "portal/ticket.html", context)


def _trial_context(ticket: Ticket) -> dict:
    state = trial_state(ticket)
    if state is None:
        return {}
    return {"trial": state, "trial_answer": state.answer_for(staff=False)}


def _change_context(ticket: Ticket, user) -> dict:
    change = approval_of(ticket)
    if change is None:
        return {}
    steps = change_steps_open(ticket, change, user)
    return {"change": change, "can_sign": "sign" in steps, "can_accept": "accept" in steps}


def _change_decision(request, number: str, service, decided: str, done: dict):
    ticket = _get_ticket(request, number)
    form = ChangeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse."))
        return _back(number, "change")
    approve = form.cleaned_data["decision"] == "approve"
    run_action(
        request,
        lambda: service(
            ticket=ticket,
            user=request.user,
            reason=form.cleaned_data["reason"],
            **{decided: approve},
        ),
        success=str(done[approve]),
    )
    return _back(number, "change")


@require_POST
@role_required(Role.CUSTOMER)
def change_signature(request, number: str):
    """The customer's project management signs a change request, or refuses it."""
    return _change_decision(
        request,
        number,
        change_sign,
        "approve",
        {
            True: gettext_lazy("Signed: our project manager evaluates the change next."),
            False: gettext_lazy("Refused: the change request is closed."),
        },
    )


@require_POST
@role_required(Role.CUSTOMER)
def change_acceptance(request, number: str):
    """The customer accepts our evaluation (work may start), or refuses it."""
    return _change_decision(
        request,
        number,
        change_accept,
        "accept",
        {
            True: gettext_lazy("Accepted: the work may start."),
            False: gettext_lazy("Refused: our project manager will evaluate it again."),
        },
    )


# Actions (POST only) ------------------------------------------------------------------------


@require_POST
@role_required(Role.CUSTOMER)
def reply(request, number: str):
    """A public reply; on a ticket waiting for us it also resumes the work."""
    ticket = _get_ticket(request, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return _back(number, "reply")
    run_action(
        request,
        lambda: comment_add(ticket=ticket, user=request.user, body=form.cleaned_data["body"]),
        success=_("Your reply was sent."),
    )
    return _back(number, "conversation")


@require_POST
@role_required(Role.CUSTOMER)
def transition(request, number: str, action: str):
    """Confirm the fix, reopen, withdraw, or accept a change: nothing else from here."""
    if action not in CUSTOMER_ACTIONS:
        raise Http404
    ticket = _get_ticket(request, number)
    run_action(
        request,
        lambda: ticket_transition(
            ticket_id=ticket.pk,
            name=action,
            user=request.user,
            note=posted_text(request.POST, "note").strip()[:2000],
        ),
        success=str(DONE_MESSAGES[action]),
    )
    return _back(number)


@require_POST
@role_required(Role.CUSTOMER)
def rate(request, number: str):
    """Rate a closed ticket once, 1 to 5 stars."""
    ticket = _get_ticket(request, number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        _form_errors_as_messages(request, form)
        return _back(number, "rating")
    run_action(
        request,
        lambda: rating_submit(
            ticket=ticket,
            user=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        ),
        success=_("Thank you for your rating."),
    )
    return _back(number, "rating")


@require_POST
@role_required(Role.CUSTOMER)
def remote_decide(request, pk: int):
    """Approve an engineer's remote access for a time window, or refuse it."""
    remote = (
        RemoteAccessRequest.objects.filter(pk=pk, ticket__in=_visible_tickets(request).values("pk"))
        .select_related("ticket")
        .first()
    )
    if remote is None:
        raise Http404
    number = remote.ticket.number
    form = RemoteDecisionForm(request.POST, request_obj=remote)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        run_action(
            request,
            lambda: remote_access_decide(
                request=remote,
                user=request.user,
                approve=approve,
                window_start=form.cleaned_data["window_start"] if approve else None,
                window_end=form.cleaned_data["window_end"] if approve else None,
            ),
            success=_("Remote access approved for the window you set.")
            if approve
            else _("Remote access refused."),
        )
    else:
        _form_errors_as_messages(request, form)
    if request.POST.get("back") == "home":
        return redirect("portal:home")
    return _back(number, "remote")
