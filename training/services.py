"""Writes on training: plan a session with its attendees, change it while planned, record
the sign-in, mark it held (only with the attendance recorded) or cancelled, hand out
materials and keep the signed sign-in sheet. Pages, API and demo call these alone."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from contracts.models import Contact, Contract
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_number, clean_text
from core.uploads import file_validate, files_validate, short_name
from training import permissions as may
from training.models import Attendee, Material, TrainingSession

# A session is a morning, a day or a few days of classes; a week is surely a typing error.
MAX_DURATION_MINUTES = 7 * 24 * 60
# How many people one session may list (a lecture hall, not a city).
MAX_ATTENDEES = 500


@dataclass
class AttendeeInput:
    """One person invited: a contact of the customer, or a name typed with organisation and
    position (a contact's own name is used when none is typed)."""

    contact: Contact | None = None
    name: str = ""
    organisation: str = ""
    position: str = ""


def _text(values: dict, errors: dict, field: str, value, max_length: int, required=False):
    try:
        text = clean_text(value, field=field, max_length=max_length).strip()
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return
    if required and not text:
        errors[field] = [_("This field is required.")]
    values[field] = text


def _clean_session(
    *, contract, topic, kind, trainer, trainer_name, starts_at, duration_minutes, place, notes
) -> dict:
    errors: dict = {}
    values: dict = {}
    if not isinstance(contract, Contract):
        errors["contract"] = [_("Choose a contract.")]
    _text(values, errors, "topic", topic, 200, required=True)
    if kind not in TrainingSession.Kind.values:
        errors["kind"] = [_("Choose the kind of training.")]
    _text(values, errors, "trainer_name", trainer_name, 100)
    if trainer is not None and not (
        isinstance(trainer, User) and trainer.is_active and trainer.has_role(Role.ENGINEER)
    ):
        errors["trainer"] = [_("Choose one of our engineers, or type an external trainer.")]
    if trainer is None and not values.get("trainer_name") and "trainer_name" not in errors:
        errors["trainer"] = [_("Choose one of our engineers, or type an external trainer.")]
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = [_("Enter a date and time.")]
    try:
        minutes = clean_number(
            duration_minutes,
            field="duration_minutes",
            minimum=1,
            maximum=MAX_DURATION_MINUTES,
            integer=True,
            required=True,
        )
        values["duration_minutes"] = minutes
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _text(values, errors, "place", place, 200, required=True)
    _text(values, errors, "notes", notes, 5000)
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "contract": contract,
        "kind": kind,
        "trainer": trainer,
        # One trainer: an engineer of ours, or the external name, not both.
        "trainer_name": "" if trainer is not None else values["trainer_name"],
        "starts_at": starts_at,
    }


def _clean_attendees(contract: Contract, attendees) -> list[AttendeeInput]:
    """Contacts of the contract's customer, each once; typed names not empty."""
    cleaned: list[AttendeeInput] = []
    seen: set[int] = set()
    attendees = list(attendees or [])
    if len(attendees) > MAX_ATTENDEES:
        raise ValidationError(
            {"attendees": _("At most %(n)d attendees per session.") % {"n": MAX_ATTENDEES}}
        )
    for person in attendees:
        contact = person.contact
        if contact is not None:
            if contact.customer_id != contract.customer_id:
                raise ValidationError(
                    {"attendees": _("Choose contacts of this contract's customer.")}
                )
            if contact.pk in seen:
                continue
            seen.add(contact.pk)
        values: dict = {}
        errors: dict = {}
        _text(values, errors, "name", person.name, 100)
        _text(values, errors, "organisation", person.organisation, 200)
        _text(values, errors, "position", person.position, 100)
        if errors:
            raise ValidationError({"attendees": [m for ms in errors.values() for m in ms]})
        name = values["name"] or (contact.name if contact else "")
        if not name:
            raise ValidationError({"attendees": _("Give each attendee a name.")})
        cleaned.append(
            AttendeeInput(
                contact=contact,
                name=name,
                organisation=values["organisation"]
                or (contact.customer.name if contact else contract.customer.name),
                position=values["position"] or (contact.position if contact else ""),
            )
        )
    return cleaned


def _create_attendees(session: TrainingSession, attendees: list[AttendeeInput]) -> None:
    Attendee.objects.bulk_create(
        Attendee(
            session=session,
            contact=person.contact,
            name=person.name,
            organisation=person.organisation,
            position=person.position,
        )
        for person in attendees
    )


def _lock(session: TrainingSession) -> TrainingSession:
    return (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("contract__customer")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_plan(
    *,
    user: User,
    contract: Contract | None,
    topic,
    kind,
    trainer: User | None = None,
    trainer_name="",
    starts_at,
    duration_minutes,
    place,
    notes="",
    attendees=(),
) -> TrainingSession:
    """Plan a session of a contract with the people invited (seed 000: 负责项目的全部培训)."""
    if not may.plan_training(user):
        raise TransitionForbidden(_("You may not plan training."))
    values = _clean_session(
        contract=contract,
        topic=topic,
        kind=kind,
        trainer=trainer,
        trainer_name=trainer_name,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        notes=notes,
    )
    people = _clean_attendees(values["contract"], attendees)
    session = TrainingSession.objects.create(created_by=user, **values)
    _create_attendees(session, people)
    return session


@transaction.atomic
def session_change(
    *,
    session: TrainingSession,
    user: User,
    topic,
    kind,
    trainer: User | None = None,
    trainer_name="",
    starts_at,
    duration_minutes,
    place,
    notes="",
    attendees=None,
) -> TrainingSession:
    """Change a planned session; `attendees` (when given) replaces the list invited."""
    if not may.plan_training(user):
        raise TransitionForbidden(_("You may not plan training."))
    session = _lock(session)
    if session.state != TrainingSession.State.PLANNED:
        raise TransitionConflict(_("Only a planned session can be changed."))
    values = _clean_session(
        contract=session.contract,
        topic=topic,
        kind=kind,
        trainer=trainer,
        trainer_name=trainer_name,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        notes=notes,
    )
    values.pop("contract")
    people = None if attendees is None else _clean_attendees(session.contract, attendees)
    for field, value in values.items():
        setattr(session, field, value)
    session.save()
    if people is not None:
        session.attendees.all().delete()
        _create_attendees(session, people)
    return session


@transaction.atomic
def attendee_add(*, session: TrainingSession, user: User, person: AttendeeInput) -> Attendee:
    """Invite one more person to a planned session."""
    if not may.plan_training(user):
        raise TransitionForbidden(_("You may not plan training."))
    session = _lock(session)
    if session.state != TrainingSession.State.PLANNED:
        raise TransitionConflict(_("Only a planned session can be changed."))
    (cleaned,) = _clean_attendees(session.contract, [person])
    if (
        cleaned.contact is not None
        and session.attendees.filter(contact_id=cleaned.contact.pk).exists()
    ):
        raise ValidationError({"contact": _("This contact is invited already.")})
    if session.attendees.count() >= MAX_ATTENDEES:
        raise ValidationError(
            {"attendees": _("At most %(n)d attendees per session.") % {"n": MAX_ATTENDEES}}
        )
    return Attendee.objects.create(
        session=session,
        contact=cleaned.contact,
        name=cleaned.name,
        organisation=cleaned.organisation,
        position=cleaned.position,
    )


@transaction.atomic
def attendee_remove(*, session: TrainingSession, user: User, attendee_id: int) -> None:
    if not may.plan_training(user):
        raise TransitionForbidden(_("You may not plan training."))
    session = _lock(session)
    if session.state != TrainingSession.State.PLANNED:
        raise TransitionConflict(_("Only a planned session can be changed."))
    deleted, _rows = session.attendees.filter(pk=attendee_id).delete()
    if not deleted:
        raise ValidationError({"attendee": _("No such attendee of this session.")})


@transaction.atomic
def attendance_record(
    *,
    session: TrainingSession,
    user: User,
    attendance: dict[int, bool],
    now: datetime | None = None,
) -> TrainingSession:
    """The sign-in: who of those invited came (True) or not (False), once the session has
    started; corrected later if need be, unless it was cancelled."""
    if not may.record_session(session, user):
        raise TransitionForbidden(_("You may not record this session."))
    now = now or timezone.now()
    session = _lock(session)
    if session.state == TrainingSession.State.CANCELLED:
        raise TransitionConflict(_("This session was cancelled."))
    if session.starts_at > now:
        raise TransitionConflict(_("Attendance is recorded once the session has started."))
    attendees = {a.pk: a for a in session.attendees.all()}
    unknown = [pk for pk in attendance if pk not in attendees]
    if unknown:
        raise ValidationError({"attendees": _("No such attendee of this session.")})
    for pk, came in attendance.items():
        if not isinstance(came, bool):
            raise ValidationError({"attendees": _("Say for each attendee whether they came.")})
        attendees[pk].attended = came
    Attendee.objects.bulk_update([attendees[pk] for pk in attendance], ["attended", "updated_at"])
    return session


@transaction.atomic
def session_hold(
    *, session: TrainingSession, user: User, now: datetime | None = None
) -> TrainingSession:
    """Mark a planned session held: it has started, and the attendance of everyone invited
    is recorded, with at least one person present (a class without pupils was not held)."""
    if not may.record_session(session, user):
        raise TransitionForbidden(_("You may not record this session."))
    now = now or timezone.now()
    session = _lock(session)
    if session.state != TrainingSession.State.PLANNED:
        raise TransitionConflict(_("Only a planned session can be marked held."))
    if session.starts_at > now:
        raise TransitionConflict(_("A session is marked held once it has started."))
    marks = list(session.attendees.values_list("attended", flat=True))
    if not marks or any(mark is None for mark in marks):
        raise ValidationError({"attendees": _("Record the attendance of everyone invited first.")})
    if not any(marks):
        raise ValidationError({"attendees": _("Nobody attended: cancel the session instead.")})
    session.state = TrainingSession.State.HELD
    session.held_at = now
    session.save(update_fields=["state", "held_at", "updated_at"])
    return session


@transaction.atomic
def session_cancel(*, session: TrainingSession, user: User, reason="") -> TrainingSession:
    if not may.plan_training(user):
        raise TransitionForbidden(_("You may not plan training."))
    session = _lock(session)
    if session.state != TrainingSession.State.PLANNED:
        raise TransitionConflict(_("Only a planned session can be cancelled."))
    session.cancel_reason = clean_text(reason, field="reason", max_length=300).strip()
    session.state = TrainingSession.State.CANCELLED
    session.save(update_fields=["state", "cancel_reason", "updated_at"])
    return session


@transaction.atomic
def materials_add(*, session: TrainingSession, user: User, files) -> list[Material]:
    """Hand out files at a session, within the one upload policy (core.uploads): at most
    UPLOAD_MAX_FILES per session, each within the size limit."""
    if not may.record_session(session, user):
        raise TransitionForbidden(_("You may not record this session."))
    session = _lock(session)
    if session.state == TrainingSession.State.CANCELLED:
        raise TransitionConflict(_("This session was cancelled."))
    files = [f for f in files or () if f]
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    files_validate(files, field="files", already=session.materials.count())
    return [
        Material.objects.create(
            session=session, file=upload, name=short_name(upload.name), uploaded_by=user
        )
        for upload in files
    ]


@transaction.atomic
def material_remove(*, session: TrainingSession, user: User, material_id: int) -> None:
    if not may.record_session(session, user):
        raise TransitionForbidden(_("You may not record this session."))
    session = _lock(session)
    material = session.materials.filter(pk=material_id).first()
    if material is None:
        raise ValidationError({"material": _("No such material of this session.")})
    name, storage = material.file.name, material.file.storage
    material.delete()
    # The file goes once the row is gone for good, never before.
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def signin_sheet_upload(
    *, session: TrainingSession, user: User, file, now: datetime | None = None
) -> TrainingSession:
    """Keep the scan of the sign-in sheet as the attendees signed it; a new scan replaces
    the old one."""
    if not may.record_session(session, user):
        raise TransitionForbidden(_("You may not record this session."))
    now = now or timezone.now()
    session = _lock(session)
    if session.state == TrainingSession.State.CANCELLED:
        raise TransitionConflict(_("This session was cancelled."))
    if session.starts_at > now:
        raise TransitionConflict(_("The sheet is signed at the session: upload it afterwards."))
    if not file:
        raise ValidationError({"file": _("Choose the scanned sheet.")})
    file_validate(file, field="file")
    old = session.signin_sheet.name if session.signin_sheet else ""
    session.signin_sheet = file
    session.signin_name = short_name(file.name)
    session.save(update_fields=["signin_sheet", "signin_name", "updated_at"])
    if old and old != session.signin_sheet.name:
        storage = session.signin_sheet.storage
        transaction.on_commit(lambda: storage.delete(old))
    return session
