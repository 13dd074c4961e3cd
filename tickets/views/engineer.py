"""The engineer's phone: my tickets, nearest deadline first, and the forms of a visit
(accept, check-in, work log, fault report, sign-off, remote access) posted from the
ticket page.

A refused form comes back on the same page with every field as typed and each error
beside its field; a form posted twice (double click, retry) saves once.
"""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_ROLES, Role
from core.errors import TicketActionError
from core.paging import BoundedCountPaginator
from core.web import REFUSALS, refusal_messages, refusal_to_form, role_required
from tickets.forms import (
    CheckInForm,
    FaultReportForm,
    RemoteRequestForm,
    SignOffForm,
    WorkLogForm,
)
from tickets.models import Ticket
from tickets.models.clocks import ticket_alert
from tickets.selectors import engineer_tickets
from tickets.services.transitions import ticket_resolve
from tickets.submissions import form_submit_once
from tickets.views.staff_ticket import _staff_ticket, ticket_page
from tickets.work_services import (
    remote_access_request,
    sign_off_record,
    ticket_accept,
    ticket_check_in,
    work_log_add,
)

# Tickets per page of the engineer's phone: the nearest deadlines first, the rest a tap away.
# Unbounded, a page grew with the engineer's backlog (800 open tickets took 200 ms).
MY_TICKETS_PAGE = 30


@role_required(Role.ENGINEER)
def home(request):
    now = timezone.now()
    page = BoundedCountPaginator(engineer_tickets(user=request.user), MY_TICKETS_PAGE).get_page(
        request.GET.get("page")
    )
    for ticket in page:
        ticket.alert = ticket_alert(ticket.clocks.all(), now)
    return render(request, "engineer/home.html", {"tickets": page, "page": page, "now": now})


class _Rejected(Exception):
    """A posted form to show again, with its errors and what was typed, and why a step
    was refused (not the input's fault: said at the top of the page)."""

    def __init__(self, name: str, form, refusal: str = "") -> None:
        super().__init__(name)
        self.forms = {name: form}
        self.refusal = refusal


def form_submit(name: str, form, action):
    """Validate the form, run the service with its data; refusals go onto the form."""
    if not form.is_valid():
        raise _Rejected(name, form)
    try:
        return action(form.cleaned_data)
    except TicketActionError as exc:
        raise _Rejected(name, form, exc.message) from exc
    except REFUSALS as exc:
        refusal_to_form(form, exc)
        raise _Rejected(name, form) from exc


def visit_post(view):
    """A post of the visit: `view(request, ticket)` returns what to tell the user.

    Run once per form token, then back to the ticket page; a rejected form is the ticket
    page again (400) with that form bound; a refused button press is a message.
    """

    @require_POST
    @role_required(*STAFF_ROLES)
    @wraps(view)
    def wrapped(request, number: str):
        ticket = _staff_ticket(request, number)
        page = reverse("desk:ticket", args=[ticket.number])
        try:
            return form_submit_once(request, lambda: (view(request, ticket), page))
        except _Rejected as exc:
            if exc.refusal:
                messages.error(request, exc.refusal)
            return ticket_page(request, ticket, forms=exc.forms, status=400)
        except REFUSALS as exc:
            refusal_messages(request, exc)
            return redirect(page)

    return wrapped


@visit_post
def accept(request, ticket: Ticket) -> str:
    ticket_accept(ticket=ticket, user=request.user)
    return _("Accepted.")


@visit_post
def check_in(request, ticket: Ticket) -> str:
    form = CheckInForm(request.POST, request.FILES)
    check = form_submit(
        "check_in_form",
        form,
        lambda data: ticket_check_in(
            ticket=ticket,
            user=request.user,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            accuracy=request.POST.get("accuracy"),
            photo=data["photo"],
        ),
    )
    if check.latitude is None:
        return _(
            "Checked in on site: the on-site clock has stopped. Location not shared: "
            "the check-in has no position."
        )
    return _("Checked in on site: the on-site clock has stopped.")


@visit_post
def work_log(request, ticket: Ticket) -> str:
    form = WorkLogForm(request.POST, request.FILES)
    form_submit(
        "work_log_form",
        form,
        lambda data: work_log_add(
            ticket=ticket, user=request.user, text=data["text"], photo=data["photo"]
        ),
    )
    return _("Work log saved.")


@visit_post
def resolve(request, ticket: Ticket) -> str:
    form = FaultReportForm(request.POST, kind=ticket.kind)
    form_submit(
        "report_form",
        form,
        lambda data: ticket_resolve(
            ticket_id=ticket.pk,
            user=request.user,
            report={k: v for k, v in data.items() if k != "note"},
            note=data["note"],
        ),
    )
    return _("Resolved.")


@visit_post
def sign_off(request, ticket: Ticket) -> str:
    form = SignOffForm(request.POST)
    form_submit(
        "sign_off_form",
        form,
        lambda data: sign_off_record(
            ticket=ticket,
            user=request.user,
            signer_name=data["signer_name"],
            signature=data["signature"],
        ),
    )
    return _("Signature saved.")


@visit_post
def remote_request(request, ticket: Ticket) -> str:
    form = RemoteRequestForm(request.POST)
    form_submit(
        "remote_form",
        form,
        lambda data: remote_access_request(
            ticket=ticket, user=request.user, reason=data["reason"], minutes=data["minutes"]
        ),
    )
    return _("Remote access requested; the customer decides in the portal.")
