"""What the ticket page shows the engineer: the one next step, and the forms of the visit.

A visit goes accept, on my way, check in, work, resolve; the page offers only the step that
comes next, so three buttons never compete on a phone. The services refuse steps out of
order (tickets/work_services.py), so the API agrees with the page.
"""

from accounts.models import User
from tickets.forms import CheckInForm, FaultReportForm, SignOffForm, WorkLogForm
from tickets.models import State, Ticket


def engineer_next_step(ticket: Ticket, user: User, available: list[str]) -> str:
    """accept, depart, check_in, work, or "" when the visit asks nothing of this user now."""
    if ticket.assigned_engineer_id != user.pk:
        return ""
    if ticket.state == State.DISPATCHED:
        if not ticket.accepted_at:
            return "accept"
        return "depart" if "depart" in available else ""
    if ticket.state == State.EN_ROUTE:
        return "check_in" if "check_in" in available else ""
    if ticket.state == State.ON_SITE:
        return "work"
    return ""


def _report_initial(ticket: Ticket) -> dict:
    report = getattr(ticket, "fault_report", None)
    if report is None:
        return {"symptoms": ticket.description}
    return {
        f: getattr(report, f) for f in ["symptoms", "analysis", "cause", "solution", "prevention"]
    }


def engineer_context(ticket: Ticket, user: User, available: list[str], forms: dict) -> dict:
    """The engineer's part of the ticket page; `forms` holds posted forms shown again."""
    next_step = engineer_next_step(ticket, user, available)
    on_the_way = next_step in ("accept", "depart", "check_in")
    # Open for the engineer at work on site; folded for everyone else (before the visit:
    # fixed remotely; the desk: a consultation answered on the phone).
    # A refused fault report comes back open, with its errors.
    report_open = next_step == "work" or forms.get("report_form") is not None
    resolve_mode = ("open" if report_open else "folded") if "resolve" in available else ""
    return {
        "next_step": next_step,
        "show_work_log": ticket.is_open and not on_the_way,
        "resolve_mode": resolve_mode,
        "report_form": forms.get("report_form")
        or FaultReportForm(initial=_report_initial(ticket), kind=ticket.kind),
        "check_in_form": forms.get("check_in_form") or CheckInForm(),
        "work_log_form": forms.get("work_log_form") or WorkLogForm(),
        "sign_off_form": forms.get("sign_off_form")
        or SignOffForm(initial={"signer_name": ticket.contact.name if ticket.contact else ""}),
    }
