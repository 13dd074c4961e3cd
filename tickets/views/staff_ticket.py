"""The staff ticket page and the buttons and forms on it: every step of the workflow,
dispatch, priority, notes, files. The engineer's forms on it (check-in, work log, fault
report, sign-off, remote access) are tickets/views/engineer.py."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import STAFF_ROLES
from core.inputs import as_id, posted_text
from core.web import REFUSALS, refusal_messages, role_required, run_action
from tickets import permissions as may
from tickets.change_requests import (
    approval_of,
    change_accept,
    change_evaluate,
    change_sign,
    change_steps_open,
)
from tickets.clock_reading import clock_rows
from tickets.complaints import complaint_answer, may_answer_now
from tickets.forms import (
    ChangeDecisionForm,
    ChangeEvaluationForm,
    CommentForm,
    ComplaintAnswerForm,
    RemoteRequestForm,
    TrialAnswerForm,
    TrialDeploymentForm,
)
from tickets.models import ComplaintAnswer, Kind, Ticket
from tickets.selectors import engineers_suggested, ticket_by_number
from tickets.services.attachments import ticket_attach
from tickets.services.priority import ticket_change_priority
from tickets.services.transitions import (
    ACTION_LABELS,
    ACTIONS_NEEDING_A_REASON,
    ticket_dispatch,
    ticket_transition,
    transitions_available,
)
from tickets.submissions import form_post_once, form_submit_once
from tickets.timeline import ticket_timeline
from tickets.trial_answers import (
    TrialState,
    may_answer_trial,
    may_reclassify,
    trial_answer_save,
    trial_fix_deployed,
    trial_state,
)
from tickets.views.engineer_forms import engineer_context
from tickets.work_services import comment_add

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
    ticket = ticket_by_number(user=request.user, number=number)
    if ticket is None:
        raise Http404
    return ticket


@role_required(*STAFF_ROLES)
def ticket(request, number: str):
    return ticket_page(request, _staff_ticket(request, number))


def ticket_page(request, ticket: Ticket, *, forms: dict | None = None, status: int = 200):
    """The staff ticket page; `forms` are posted forms shown again with their errors and
    everything typed (the engineer's forms, tickets/views/engineer.py)."""
    now = timezone.now()
    available = transitions_available(ticket, request.user)
    is_engineer_here = ticket.assigned_engineer_id == request.user.pk
    context = {
        "ticket": ticket,
        "now": now,
        "clock_rows": clock_rows(ticket, now=now, explain=True),
        "timeline": ticket_timeline(ticket, include_internal=True),
        "buttons": [
            (name, ACTION_LABELS[name])
            for name in available
            if name in SIMPLE_ACTIONS and name not in ACTIONS_NEEDING_A_REASON
        ],
        "destructive": [
            (name, ACTION_LABELS[name])
            for name in available
            if name in SIMPLE_ACTIONS and name in ACTIONS_NEEDING_A_REASON
        ],
        "can": set(available),
        "comment_form": CommentForm(),
        "remote_form": (forms or {}).get("remote_form") or RemoteRequestForm(),
        "suggested": engineers_suggested(ticket=ticket, now=now) if "dispatch" in available else [],
        "is_engineer_here": is_engineer_here,
        "can_change_priority": may.change_priority(ticket, request.user) and ticket.is_open,
        "priorities": Ticket._meta.get_field("priority").choices,
        "attachments": ticket.attachments.all(),
        "remote_requests": ticket.remote_requests.select_related("requested_by", "decided_by"),
        "sign_off": getattr(ticket, "sign_off", None),
        "fault_report": getattr(ticket, "fault_report", None),
        **_change_context(ticket, request.user, forms or {}),
        **_complaint_context(ticket, request.user, forms or {}),
        **_trial_context(ticket, request.user, forms or {}),
        **engineer_context(ticket, request.user, available, forms or {}),
        # For the panels other apps hang on the page (spares' template tag): their own
        # posted forms, shown again with their errors.
        "posted_forms": forms or {},
    }
    return render(request, "desk/ticket.html", context, status=status)


def _change_context(ticket: Ticket, user, forms: dict) -> dict:
    change = approval_of(ticket)
    if change is None:
        return {}
    steps = change_steps_open(ticket, change, user)
    initial = {f: getattr(change, f) for f in ("scope", "effort", "schedule", "architecture")}
    return {
        "change": change,
        "can_evaluate": "evaluate" in steps,
        # What the customer signed on paper, recorded by a service manager.
        "paper_step": next((step for step in ("sign", "accept") if step in steps), None),
        "change_form": forms.get("change_form") or ChangeEvaluationForm(initial=initial),
    }


def _complaint_context(ticket: Ticket, user, forms: dict) -> dict:
    if ticket.kind != Kind.COMPLAINT:
        return {}
    answer = ComplaintAnswer.objects.filter(ticket=ticket).select_related("answered_by").first()
    return {
        "complaint": answer,
        "is_complaint": True,
        "answer_clock": next((c for c in ticket.clocks.all() if c.kind == "answer"), None),
        "can_answer": may_answer_now(ticket, user, answered=answer is not None),
        "complaint_form": forms.get("complaint_form") or ComplaintAnswerForm(),
    }


def _trial_context(ticket: Ticket, user, forms: dict) -> dict:
    state = trial_state(ticket)
    if state is None:
        return {}
    answer = state.answer
    initial = {}
    if answer is not None:
        initial = {"cause": answer.cause, "fix_due_at": answer.fix_due_at, "size": answer.size}
    can_answer = ticket.is_open and may_answer_trial(ticket, user)
    return {
        "trial": state,
        "can_answer_trial": can_answer,
        "can_deploy": can_answer and state.complete and not state.deployed,
        "trial_form": forms.get("trial_form") or _trial_form(state, user, initial=initial),
        "deployment_form": forms.get("deployment_form") or TrialDeploymentForm(),
    }


def _trial_form(state: TrialState, user, **kwargs) -> TrialAnswerForm:
    reclassifies = state.complete and may_reclassify(user)
    return TrialAnswerForm(
        hours=state.hours,
        size_locked=state.complete and not reclassifies,
        ask_reason=reclassifies,
        **kwargs,
    )


def ticket_action(view):
    """A post from the ticket page: `view(request, ticket, ...)` calls one service and
    returns what to tell the user.

    The ticket is one the user may see (404 otherwise, before the post is read). A
    refusal, of the input or by the service, comes back as error messages instead of
    the success; either way the answer is the ticket page again.
    """

    @require_POST
    @role_required(*STAFF_ROLES)
    @wraps(view)
    def wrapped(request, number: str, **kwargs):
        ticket = _staff_ticket(request, number)
        page = reverse("desk:ticket", args=[ticket.number])
        try:
            # Once per form token: a double tap on "On my way" is one step, not a conflict.
            return form_submit_once(request, lambda: (view(request, ticket, **kwargs), page))
        except REFUSALS as exc:
            refusal_messages(request, exc)
            return redirect(page)

    return wrapped


@ticket_action
def transition(request, ticket: Ticket, action: str) -> str:
    if action not in SIMPLE_ACTIONS:
        raise Http404
    ticket_transition(
        ticket_id=ticket.pk,
        name=action,
        user=request.user,
        note=posted_text(request.POST, "note", max_length=2000),
    )
    return _("Done: %(action)s.") % {"action": ACTION_LABELS[action]}


@ticket_action
def dispatch_engineer(request, ticket: Ticket) -> str:
    chosen = request.POST.get("engineer", "")
    engineer = User.objects.filter(pk=as_id(chosen)).first() if as_id(chosen) else None
    if engineer is None:
        raise ValidationError(_("Choose an engineer."))
    ticket_dispatch(ticket_id=ticket.pk, user=request.user, engineer=engineer)
    return _("Dispatched to %(name)s.") % {"name": engineer.get_full_name() or engineer}


@ticket_action
def change_priority(request, ticket: Ticket) -> str:
    ticket_change_priority(
        ticket_id=ticket.pk,
        user=request.user,
        priority=posted_text(request.POST, "priority"),
        note=posted_text(request.POST, "note", max_length=2000),
    )
    return _("Priority changed; the clocks were recomputed.")


@ticket_action
def comment(request, ticket: Ticket) -> str:
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Write something first."))
    comment_add(
        ticket=ticket,
        user=request.user,
        body=form.cleaned_data["body"],
        internal=form.cleaned_data["internal"],
    )
    return _("Saved.")


@ticket_action
def attach(request, ticket: Ticket) -> str:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError(_("Choose a file."))
    ticket_attach(ticket_id=ticket.pk, user=request.user, file=upload)
    return _("File attached.")


@require_POST
@role_required(*STAFF_ROLES)
def change_evaluation(request, number: str):
    """Our project manager's evaluation of a change request, sent to the customer; refused
    input comes back on the form with everything typed."""
    ticket = _staff_ticket(request, number)
    form = ChangeEvaluationForm(request.POST)

    def run(data):
        change_evaluate(ticket=ticket, user=request.user, **data)
        message = _("The evaluation was sent to the customer.")
        return message, reverse("desk:ticket", args=[ticket.number])

    done = form_post_once(request, form, run)
    if done is not None:
        return done
    if not _change_context(ticket, request.user, {}).get("can_evaluate"):
        # Evaluated by someone else meanwhile, or not theirs to evaluate: the form is gone
        # from the page, so the refusal is said above it.
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("desk:ticket", number=ticket.number)
    return ticket_page(request, ticket, forms={"change_form": form}, status=400)


@require_POST
@role_required(*STAFF_ROLES)
def change_on_paper(request, number: str, step: str):
    """A service manager records the customer's signature or acceptance given on paper."""
    services = {"sign": (change_sign, "approve"), "accept": (change_accept, "accept")}
    if step not in services:
        raise Http404
    ticket = _staff_ticket(request, number)
    service, decided = services[step]
    form = ChangeDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        run_action(
            request,
            lambda: service(
                ticket=ticket,
                user=request.user,
                reason=form.cleaned_data["reason"],
                **{decided: approve},
            ),
            success=_("The customer's answer is recorded."),
        )
    else:
        messages.error(request, _("Choose to approve or to refuse."))
    return redirect(reverse("desk:ticket", args=[ticket.number]) + "#change")


@require_POST
@role_required(*STAFF_ROLES)
def complaint(request, number: str):
    """The service manager's answer to a complaint; refused input comes back on the form."""
    ticket = _staff_ticket(request, number)
    form = ComplaintAnswerForm(request.POST)

    def run(data):
        complaint_answer(ticket=ticket, user=request.user, **data)
        message = _("The answer was sent to the customer.")
        return message, reverse("desk:ticket", args=[ticket.number])

    done = form_post_once(request, form, run)
    if done is not None:
        return done
    if not _complaint_context(ticket, request.user, {}).get("can_answer"):
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("desk:ticket", number=ticket.number)
    return ticket_page(request, ticket, forms={"complaint_form": form}, status=400)


@require_POST
@role_required(*STAFF_ROLES)
def trial_answer(request, number: str):
    """The trial-phase answer (cause, fix date, size), saved as far as it is given; refused
    input comes back on the form with everything typed."""
    ticket = _staff_ticket(request, number)
    state = trial_state(ticket)
    if state is None:
        raise Http404
    form = _trial_form(state, request.user, data=request.POST)

    def run(data):
        record = trial_answer_save(ticket=ticket, user=request.user, **form.answer_fields())
        if record.answered_at is None:
            message = _("Saved. The answer is complete with the cause, fix date and size.")
        else:
            message = _("The answer is recorded and the customer told.")
        return message, reverse("desk:ticket", args=[ticket.number]) + "#trial"

    done = form_post_once(request, form, run)
    if done is not None:
        return done
    return ticket_page(request, ticket, forms={"trial_form": form}, status=400)


@require_POST
@role_required(*STAFF_ROLES)
def trial_deployment(request, number: str):
    """The fix deployed after our internal test; the ticket may then be resolved."""
    ticket = _staff_ticket(request, number)
    if trial_state(ticket) is None:
        raise Http404
    form = TrialDeploymentForm(request.POST)

    def run(data):
        trial_fix_deployed(ticket=ticket, user=request.user, **data)
        message = _("The deployment is recorded. Resolve the ticket for the customer to confirm.")
        return message, reverse("desk:ticket", args=[ticket.number]) + "#trial"

    done = form_post_once(request, form, run)
    if done is not None:
        return done
    return ticket_page(request, ticket, forms={"deployment_form": form}, status=400)
