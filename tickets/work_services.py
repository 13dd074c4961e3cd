"""Writes on what surrounds a ticket's workflow: replies and notes, site evidence, sign-off,
ratings and remote-access authorisations. Each checks who may do it and records an event."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from accounts.models import User
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_number
from core.translatable import Message
from core.uploads import photo_validate, signature_png
from tickets import permissions as may
from tickets.models import (
    CheckIn,
    Comment,
    Rating,
    RemoteAccessRequest,
    SignOff,
    State,
    Ticket,
    TicketEvent,
    WorkLog,
)
from tickets.models.records import event_note
from tickets.selectors import ticket_visible
from tickets.services.attachments import attachment_of_stored
from tickets.services.transitions import ticket_transition

# A browser's position fix is metres to a few kilometres; beyond this it is not a fix.
MAX_ACCURACY_METRES = 1_000_000


def _event(ticket: Ticket, user: User, note: "str | Message", **data) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=timezone.now(),
        actor=user,
        **event_note(note),
        data=data,
    )


@transaction.atomic
def comment_add(*, ticket: Ticket, user: User, body: str, internal: bool = False) -> Comment:
    """A reply the customer sees, or an internal note.

    A customer's reply resumes a ticket that was waiting on them.
    """
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    customer = may.is_customer_of(ticket, user)
    if not (customer or ticket_visible(user, ticket)):
        raise TransitionForbidden(_("You may not comment on this ticket."))
    if internal and customer:
        raise TransitionForbidden(_("Customers cannot write internal notes."))
    comment = Comment.objects.create(ticket=ticket, author=user, body=body, internal=internal)
    if customer:
        _customer_replied(ticket, user)
    return comment


@transaction.atomic
def comment_from_mail(
    *, ticket: Ticket, author: User | None, from_address: str, body: str, by_customer: bool
) -> Comment:
    """A reply that came by e-mail (mail_intake), from a sender already matched to the
    ticket: the customer's contact (a reply the customer sees) or staff (an internal note)."""
    body = body.strip() or _("(The e-mail had no text.)")
    comment = Comment.objects.create(
        ticket=ticket,
        author=author,
        from_address=from_address,
        body=body,
        internal=not by_customer,
    )
    if by_customer:
        _customer_replied(ticket, author)
    return comment


def _customer_replied(ticket: Ticket, user: User | None) -> None:
    """A reply from the customer resumes a ticket that was waiting on them."""
    if ticket.state == State.WAITING_CUSTOMER:
        ticket_transition(
            ticket_id=ticket.pk,
            name="resume",
            user=user,
            note=Message(gettext_lazy("Customer replied")),
        )


@transaction.atomic
def ticket_accept(*, ticket: Ticket, user: User, now: datetime | None = None) -> Ticket:
    """The dispatched engineer takes the job on (接单)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not may.is_assigned_engineer(ticket, user):
        raise TransitionForbidden(_("Only the engineer dispatched can accept this ticket."))
    if ticket.state != State.DISPATCHED or ticket.accepted_at:
        raise TransitionConflict(_("This ticket is not waiting to be accepted."))
    ticket.accepted_at = now or timezone.now()
    ticket.save(update_fields=["accepted_at", "updated_at"])
    _event(ticket, user, Message(gettext_lazy("Accepted by the engineer")), action="accept")
    return ticket


@transaction.atomic
def ticket_check_in(
    *,
    ticket: Ticket,
    user: User,
    latitude=None,
    longitude=None,
    accuracy=None,
    photo=None,
    note: str = "",
    now: datetime | None = None,
) -> CheckIn:
    """Arrival on site: stops the on-site clock and keeps time, place and photo as evidence.

    The one way to check in: the engineer's page and `POST /api/tickets/{id}/check_in/`
    both call it, so both record the same CheckIn. Bad input changes nothing.
    """
    now = now or timezone.now()
    # Degrees, WGS 84, six decimals (about 0.1 m).
    lat = clean_number(latitude, field="latitude", minimum=-90, maximum=90, places=6)
    lon = clean_number(longitude, field="longitude", minimum=-180, maximum=180, places=6)
    accuracy_m = clean_number(accuracy, field="accuracy", maximum=MAX_ACCURACY_METRES)
    accuracy_m = None if accuracy_m is None else max(0, round(accuracy_m))
    photo_validate(photo)
    state = Ticket.objects.filter(pk=ticket.pk).values_list("state", flat=True).first()
    if state == State.DISPATCHED and may.is_assigned_engineer(ticket, user):
        # The order of the visit is accept, on my way, check in; say which step is missing.
        raise TransitionConflict(_("Tap “On my way” first: check-in follows setting off."))
    ticket_transition(ticket_id=ticket.pk, name="check_in", user=user, note=note, now=now)
    check_in = CheckIn.objects.create(
        ticket=ticket,
        engineer=user,
        at=now,
        latitude=lat,
        longitude=lon,
        accuracy_m=accuracy_m,
        photo=photo or "",
    )
    if check_in.photo:
        attachment_of_stored(ticket=ticket, user=user, stored=check_in.photo)
    return check_in


@transaction.atomic
def work_log_add(*, ticket: Ticket, user: User, text: str, photo=None) -> WorkLog:
    if not may.staff_on_ticket(ticket, user):
        raise TransitionForbidden(_("You may not log work on this ticket."))
    text = text.strip()
    if not text and not photo:
        raise ValidationError({"text": _("Describe the work or add a photo.")})
    photo_validate(photo)
    log = WorkLog.objects.create(ticket=ticket, author=user, text=text, photo=photo or "")
    if log.photo:
        attachment_of_stored(ticket=ticket, user=user, stored=log.photo)
    return log


@transaction.atomic
def sign_off_record(
    *, ticket: Ticket, user: User, signer_name: str, signature: str, now: datetime | None = None
) -> SignOff:
    """The customer signs on the engineer's screen that the work was done."""
    if not (may.is_assigned_engineer(ticket, user) or may.is_desk(user)):
        raise TransitionForbidden(_("Only the engineer on the ticket collects the signature."))
    errors = {}
    if not signer_name.strip():
        errors["signer_name"] = _("Who signs?")
    try:
        png = signature_png(signature)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    sign_off, _created = SignOff.objects.update_or_create(
        ticket=ticket,
        defaults={"signer_name": signer_name.strip(), "signed_at": now, "collected_by": user},
    )
    sign_off.image.save(f"{ticket.number}.png", ContentFile(png), save=True)
    _event(
        ticket,
        user,
        Message(gettext_lazy("Signed off by %(name)s"), params={"name": sign_off.signer_name}),
    )
    return sign_off


@transaction.atomic
def rating_submit(*, ticket: Ticket, user: User, score, comment: str = "") -> Rating:
    """The customer rates a closed ticket once, 1 to 5 (满意度)."""
    if not may.is_customer_of(ticket, user):
        raise TransitionForbidden(_("Only the customer rates the service."))
    if ticket.state not in (State.CLOSED, State.ACCEPTED):
        raise TransitionConflict(_("A ticket is rated once it is closed."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Choose 1 to 5 stars.")})
    if Rating.objects.filter(ticket=ticket).exists():
        raise TransitionConflict(_("This ticket has already been rated."))
    rating = Rating.objects.create(
        ticket=ticket, score=score, comment=comment.strip(), rated_by=user
    )
    _event(
        ticket,
        user,
        Message(gettext_lazy("Rated %(score)d of 5"), params={"score": score}),
        score=score,
    )
    return rating


@transaction.atomic
def remote_access_request(
    *, ticket: Ticket, user: User, reason: str, minutes: int
) -> RemoteAccessRequest:
    """An engineer asks the customer's permission to connect remotely (seed 002: 经甲方授权后)."""
    if not may.staff_on_ticket(ticket, user):
        raise TransitionForbidden(_("You may not ask for remote access on this ticket."))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say what will be done.")
    if not 5 <= int(minutes or 0) <= 24 * 60:
        errors["minutes"] = _("Between 5 minutes and 24 hours.")
    if errors:
        raise ValidationError(errors)
    request = RemoteAccessRequest.objects.create(
        ticket=ticket, requested_by=user, reason=reason.strip(), minutes=int(minutes)
    )
    _event(
        ticket, user, Message(gettext_lazy("Remote access requested")), remote_request=request.pk
    )
    return request


@transaction.atomic
def remote_access_decide(
    *,
    request: RemoteAccessRequest,
    user: User,
    approve: bool,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    now: datetime | None = None,
) -> RemoteAccessRequest:
    """The customer approves, with a time window, or refuses. Who, when and how long is kept."""
    request = (
        RemoteAccessRequest.objects.select_for_update().select_related("ticket").get(pk=request.pk)
    )
    if not may.is_customer_of(request.ticket, user):
        raise TransitionForbidden(_("Only the customer can authorise remote access."))
    step = request.approve if approve else request.refuse
    if not can_proceed(step):
        raise TransitionConflict(_("This request has already been answered."))
    now = now or timezone.now()
    from_status = request.status
    if approve:
        window_start = window_start or now
        window_end = window_end or window_start + timedelta(minutes=request.minutes)
        if window_end <= window_start:
            raise ValidationError({"window_end": _("The window must end after it starts.")})
        if window_end <= now:
            raise ValidationError({"window_end": _("The window is already over.")})
        step(at=now, by=user, window_start=window_start, window_end=window_end)
    else:
        step(at=now, by=user)
    request.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "window_start",
            "window_end",
            "updated_at",
        ]
    )
    _event(
        request.ticket,
        user,
        Message(
            gettext_lazy("Remote access approved")
            if approve
            else gettext_lazy("Remote access refused")
        ),
        remote_request=request.pk,
        remote_from=from_status,
        remote_to=request.status,
    )
    return request
