"""Training pages: the sessions (planned by the desk and managers, recorded by them or the
session's trainer, read by the customer's contacts for their own organisation), each with
its attendees, sign-in, materials and sign-in sheet."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import STAFF_ROLES, Role
from contracts.models import Contract
from contracts.selectors import contracts_visible_to
from core.errors import TicketActionError
from core.inputs import as_id
from core.web import (
    REFUSALS,
    refusal_to_form,
    role_required,
    run_action,
    stored_file_response,
)
from tickets.submissions import form_post_once
from training import permissions as may
from training import selectors
from training.forms import (
    AttendeeForm,
    CancelForm,
    FilterForm,
    MaterialsForm,
    SessionForm,
    SigninSheetForm,
)
from training.models import TrainingSession
from training.services import (
    attendance_record,
    attendee_add,
    attendee_remove,
    material_remove,
    materials_add,
    session_cancel,
    session_change,
    session_hold,
    session_plan,
    signin_sheet_upload,
)

ROLES = (*STAFF_ROLES, Role.CUSTOMER)
LIST_LIMIT = 300


@role_required(*ROLES)
def sessions(request):
    can_plan = may.plan_training(request.user)
    form = None
    if request.method == "POST" and can_plan:
        form = SessionForm(request.POST)
        # Once per form token: a double click plans one session.
        done = form_post_once(request, form, lambda data: _plan(request, form, data))
        if done is not None:
            return done
    contracts = contracts_visible_to(
        request.user, Contract.objects.select_related("customer")
    ).order_by("customer__name", "number")
    filters = FilterForm(request.GET or None, contracts=contracts)
    chosen = filters.values() if request.GET else {}
    found = selectors.sessions_visible_to(request.user)
    if chosen.get("contract"):
        found = found.filter(contract=chosen["contract"])
    if chosen.get("state"):
        found = found.filter(state=chosen["state"])
    if chosen.get("year"):
        found = found.filter(starts_at__year=chosen["year"])
    initial = {}
    contract_id = as_id(request.GET.get("contract"))
    if contract_id:
        initial["contract"] = contract_id
    context = {
        "sessions": found.order_by("-starts_at", "-pk")[:LIST_LIMIT],
        "filters": filters,
        "can_plan": can_plan,
        "form": form or SessionForm(initial=initial),
    }
    return render(request, "training/sessions.html", context, status=400 if form else 200)


def _plan(request, form, data) -> tuple[str, str]:
    session = session_plan(
        user=request.user,
        contract=data["contract"],
        topic=data["topic"],
        kind=data["kind"],
        trainer=data["trainer"],
        trainer_name=data["trainer_name"],
        starts_at=data["starts_at"],
        duration_minutes=data["duration_minutes"],
        place=data["place"],
        notes=data["notes"],
        attendees=form.attendees(),
    )
    return _("Training session planned."), reverse("training:session", args=[session.pk])


def _session(request, pk: int) -> TrainingSession:
    found = selectors.session_with_details(selectors.sessions_visible_to(request.user))
    session = found.filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def _context(request, session, **forms) -> dict:
    now = timezone.now()
    can_plan = may.plan_training(request.user)
    can_record = may.record_session(session, request.user)
    planned = session.state == TrainingSession.State.PLANNED
    started = session.starts_at <= now
    attendees = list(session.attendees.all())
    return {
        "session": session,
        "attendees": attendees,
        "materials": list(session.materials.all()),
        "attended": sum(1 for a in attendees if a.attended),
        "now": now,
        "can_change": can_plan and planned,
        "can_record": can_record and session.state != TrainingSession.State.CANCELLED,
        "can_record_attendance": can_record
        and started
        and session.state != TrainingSession.State.CANCELLED,
        "can_hold": can_record and planned and started,
        "can_upload_sheet": can_record
        and started
        and session.state != TrainingSession.State.CANCELLED,
        "attendee_form": forms.get("attendee") or AttendeeForm(session=session),
        "materials_form": forms.get("materials") or MaterialsForm(),
        "signin_form": forms.get("signin") or SigninSheetForm(),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "attendance_error": forms.get("attendance_error"),
    }


def _show(request, session, status=200, **forms):
    return render(
        request, "training/session.html", _context(request, session, **forms), status=status
    )


@role_required(*ROLES)
def session(request, pk: int):
    return _show(request, _session(request, pk))


def _act(request, session, form, run, success: str, name: str):
    """A form post on the session page: the service runs, or the page comes back with the
    refusal beside the field and everything typed kept (400)."""
    if form.is_valid():
        try:
            run(form)
        except REFUSALS as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, success)
            return redirect("training:session", pk=session.pk)
    return _show(request, _session(request, session.pk), status=400, **{name: form})


@role_required(*STAFF_ROLES)
def edit(request, pk: int):
    session = _session(request, pk)
    if not may.plan_training(request.user) or session.state != TrainingSession.State.PLANNED:
        raise Http404
    form = None
    if request.method == "POST":
        form = SessionForm(request.POST, editing=True)

        def change(data):
            session_change(session=session, user=request.user, **data)
            return _("Training session changed."), reverse("training:session", args=[pk])

        done = form_post_once(request, form, change)
        if done is not None:
            return done
    initial = {
        "topic": session.topic,
        "kind": session.kind,
        "trainer": session.trainer_id,
        "trainer_name": session.trainer_name,
        "starts_at": timezone.localtime(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "place": session.place,
        "notes": session.notes,
    }
    context = {"session": session, "form": form or SessionForm(initial=initial, editing=True)}
    return render(request, "training/edit.html", context, status=400 if form else 200)


@role_required(*STAFF_ROLES)
def act(request, pk: int, action: str):
    """The session page's posts: invite, remove, attendance, held, cancel, files."""
    if request.method != "POST":
        return redirect("training:session", pk=pk)
    session = _session(request, pk)
    user = request.user
    if action == "attendee":
        form = AttendeeForm(request.POST, session=session)
        return _act(
            request,
            session,
            form,
            lambda f: attendee_add(session=session, user=user, person=f.person()),
            _("Attendee added."),
            "attendee",
        )
    if action == "materials":
        form = MaterialsForm(request.POST, request.FILES)
        return _act(
            request,
            session,
            form,
            lambda f: materials_add(session=session, user=user, files=f.cleaned_data["files"]),
            _("Materials uploaded."),
            "materials",
        )
    if action == "signin":
        form = SigninSheetForm(request.POST, request.FILES)
        return _act(
            request,
            session,
            form,
            lambda f: signin_sheet_upload(session=session, user=user, file=f.cleaned_data["file"]),
            _("Signed sign-in sheet kept."),
            "signin",
        )
    if action == "cancel":
        form = CancelForm(request.POST)
        return _act(
            request,
            session,
            form,
            lambda f: session_cancel(session=session, user=user, reason=f.cleaned_data["reason"]),
            _("Training session cancelled."),
            "cancel",
        )
    if action == "attendance":
        return _attendance(request, session)
    if action in ("remove-attendee", "remove-material"):
        return _remove(request, session, action)
    raise Http404


def _attendance(request, session):
    """Every attendee ticked came, every one not ticked did not; "and mark held" too."""
    present = {as_id(value) for value in request.POST.getlist("attended")}
    attendance = {a.pk: a.pk in present for a in session.attendees.all()}
    hold = bool(request.POST.get("hold"))
    try:
        attendance_record(session=session, user=request.user, attendance=attendance)
        if hold:
            session_hold(session=session, user=request.user)
    except REFUSALS as exc:
        error = exc.message if isinstance(exc, TicketActionError) else " ".join(exc.messages)
        return _show(request, _session(request, session.pk), status=400, attendance_error=error)
    messages.success(
        request,
        _("Attendance recorded; the session is marked held.")
        if hold
        else _("Attendance recorded."),
    )
    return redirect("training:session", pk=session.pk)


def _remove(request, session, action):
    target = as_id(request.POST.get("id")) or 0

    def remove():
        if action == "remove-attendee":
            attendee_remove(session=session, user=request.user, attendee_id=target)
        else:
            material_remove(session=session, user=request.user, material_id=target)

    run_action(request, remove, success=_("Removed."))
    return redirect("training:session", pk=session.pk)


@role_required(*ROLES)
def material(request, pk: int, material_pk: int):
    """A material, to whoever may see its session; never from a public URL."""
    session = _session(request, pk)
    found = next((m for m in session.materials.all() if m.pk == material_pk), None)
    if found is None:
        raise Http404
    return stored_file_response(found.file, filename=found.name)


@role_required(*ROLES)
def signin_sheet(request, pk: int):
    """The signed sheet as uploaded, to whoever may see the session."""
    session = _session(request, pk)
    if not session.signin_sheet:
        raise Http404
    name = session.signin_name or session.signin_sheet.name.rsplit("/", 1)[-1]
    return stored_file_response(session.signin_sheet, filename=name)
