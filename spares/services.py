"""Writes on the spares: stock received, parts taken for a ticket and then used or brought
back, substitute devices installed and taken back. Each checks who may do it, changes the
stock under a row lock, and records an event on the ticket."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Branch, User
from accounts.roles import Role
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_number, clean_text
from core.translatable import Message
from spares import permissions as may
from spares.models import PartUse, StockItem, Substitute
from tickets.models import SlaClock, Ticket, TicketEvent
from tickets.models.records import event_note
from tickets.notify import notify
from tickets.services.transitions import ticket_lock, ticket_promise_kept

MAX_QUANTITY = 100_000


def _required_text(value, *, field: str, max_length: int) -> str:
    text = clean_text(value, field=field, max_length=max_length).strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    return text


def _event(ticket: Ticket, user: User, message: Message, at: datetime, **data) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=at,
        actor=user,
        **event_note(message),
        data=data,
    )


# Stock -------------------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    user: User,
    branch: Branch | None,
    name,
    model="",
    serial_number="",
    quantity=None,
    location="",
    reorder_level=None,
) -> StockItem:
    """Parts put on a branch's shelf: added to the row of the same part, model and place,
    or a new row; a unit with a serial number is a row of its own."""
    if not may.manage_stock(user):
        raise TransitionForbidden(_("You may not change the stock."))
    errors = {}
    if branch is None:
        errors["branch"] = _("Choose a branch.")
    try:
        name = _required_text(name, field="name", max_length=200)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    model = clean_text(model, field="model", max_length=100).strip()
    serial = clean_text(serial_number, field="serial_number", max_length=100).strip()
    location = clean_text(location, field="location", max_length=200).strip()
    try:
        quantity = clean_number(
            quantity,
            field="quantity",
            minimum=1,
            maximum=MAX_QUANTITY,
            integer=True,
            required=not serial,
        )
        reorder_level = clean_number(
            reorder_level, field="reorder_level", minimum=0, maximum=MAX_QUANTITY, integer=True
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        quantity = reorder_level = None
    if serial and quantity not in (None, 1):
        errors["quantity"] = _("A unit with a serial number is one unit.")
    if (
        serial
        and branch is not None
        and StockItem.objects.filter(branch=branch, serial_number=serial).exists()
    ):
        errors["serial_number"] = _("This serial number is already in this branch's stock.")
    if errors:
        raise ValidationError(errors)
    if serial:
        try:
            with transaction.atomic():
                return StockItem.objects.create(
                    branch=branch,
                    name=name,
                    model=model,
                    serial_number=serial,
                    quantity=1,
                    location=location,
                    reorder_level=reorder_level or 0,
                )
        except IntegrityError as exc:
            # Received twice at once: the unique serial number refuses the second.
            raise ValidationError(
                {"serial_number": _("This serial number is already in this branch's stock.")}
            ) from exc
    item = (
        StockItem.objects.select_for_update()
        .filter(branch=branch, name=name, model=model, serial_number="", location=location)
        .first()
    )
    if item is None:
        return StockItem.objects.create(
            branch=branch,
            name=name,
            model=model,
            quantity=quantity,
            location=location,
            reorder_level=reorder_level or 0,
        )
    item.quantity += quantity
    if reorder_level is not None:
        item.reorder_level = reorder_level
    item.save(update_fields=["quantity", "reorder_level", "updated_at"])
    return item


def _lock_part(item: StockItem) -> None:
    key = f"stock:{item.branch_id}:{item.name}:{item.model}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _stock_of_part(item: StockItem) -> tuple[int, int]:
    """(quantity, alert level) of the item's part and model across the branch's shelves."""
    found = StockItem.objects.filter(branch_id=item.branch_id, name=item.name, model=item.model)
    totals = found.aggregate(quantity=Sum("quantity"), level=Max("reorder_level"))
    return totals["quantity"] or 0, totals["level"] or 0


def _low_stock_alert(item: StockItem, *, before: int, use: PartUse) -> None:
    """Tell the branch's managers once, when a take brings the part to its alert level."""
    after, level = _stock_of_part(item)
    if not level or not (after <= level < before):
        return
    managers = User.objects.filter(
        groups__name=Role.MANAGER, branch_id=item.branch_id, is_active=True
    )
    notify(
        managers,
        Message(
            gettext_lazy("Low stock at %(branch)s: %(part)s"),
            gettext_lazy("%(left)d left after %(number)s took %(taken)d; alert at %(level)d."),
            {
                "branch": item.branch.name,
                "part": str(item),
                "left": after,
                "number": use.ticket.number,
                "taken": use.quantity,
                "level": level,
            },
        ),
        ticket=use.ticket,
        key=f"low-stock:{use.pk}",
    )


# Parts on a ticket -------------------------------------------------------------------------------


def _open_ticket_locked(ticket: Ticket, user: User, *, forbidden: str, finished: str) -> Ticket:
    """The ticket locked for the change, if this user works on it and it is still open."""
    ticket = ticket_lock(ticket.pk)
    if not may.work_with_parts(ticket, user):
        raise TransitionForbidden(forbidden)
    if not ticket.is_open:
        raise TransitionConflict(finished)
    return ticket


@transaction.atomic
def part_take(
    *, ticket: Ticket, user: User, stock_item: StockItem | None, quantity=1, now=None
) -> PartUse:
    """Parts taken from the stock of the ticket's branch (or the taker's) to the site."""
    now = now or timezone.now()
    ticket = _open_ticket_locked(
        ticket,
        user,
        forbidden=_("You may not take parts for this ticket."),
        finished=_("This ticket is finished: no more parts go out for it."),
    )
    if stock_item is None:
        raise ValidationError({"stock_item": _("Choose a part in stock.")})
    quantity = clean_number(
        quantity, field="quantity", minimum=1, maximum=MAX_QUANTITY, integer=True, required=True
    )
    item = StockItem.objects.select_related("branch").get(pk=stock_item.pk)
    # The part's shelves of this branch counted as one (the alert level): takes of the same
    # part wait for each other, so one take, and only one, sees the level crossed.
    _lock_part(item)
    item = StockItem.objects.select_for_update().select_related("branch").get(pk=item.pk)
    if item.branch_id not in may.stock_branches_for(ticket, user):
        raise ValidationError({"stock_item": _("This part is kept at another branch.")})
    if item.quantity < quantity:
        raise ValidationError({"quantity": _("Only %(left)d in stock.") % {"left": item.quantity}})
    before, _level = _stock_of_part(item)
    item.quantity -= quantity
    item.save(update_fields=["quantity", "updated_at"])
    use = PartUse.objects.create(
        ticket=ticket, stock_item=item, quantity=quantity, taken_by=user, taken_at=now
    )
    _event(
        ticket,
        user,
        Message(
            gettext_lazy("Parts taken: %(quantity)d × %(part)s"),
            params={"quantity": quantity, "part": str(item)},
        ),
        now,
        action="part_take",
        part=use.pk,
    )
    _low_stock_alert(item, before=before, use=use)
    return use


@transaction.atomic
def part_settle(*, use: PartUse, user: User, used=None, note="", now=None) -> PartUse:
    """How many of the parts taken went into the device; the rest go back on the shelf.

    `used` blank means all of them. The covered item's record of replaced parts is the
    parts used on its tickets.
    """
    now = now or timezone.now()
    use = PartUse.objects.select_for_update().select_related("ticket").get(pk=use.pk)
    ticket = use.ticket
    if not may.work_with_parts(ticket, user):
        raise TransitionForbidden(_("You may not settle parts of this ticket."))
    if use.state != PartUse.State.TAKEN:
        raise TransitionConflict(_("These parts were already used or returned."))
    used = clean_number(used, field="used", minimum=0, maximum=use.quantity, integer=True)
    used = use.quantity if used is None else used
    note = clean_text(note, field="note", max_length=500).strip()
    returned = use.quantity - used
    if returned:
        item = StockItem.objects.select_for_update().get(pk=use.stock_item_id)
        item.quantity += returned
        item.save(update_fields=["quantity", "updated_at"])
    use.used_quantity = used
    use.state = PartUse.State.USED if used else PartUse.State.RETURNED
    use.settled_by, use.settled_at, use.note = user, now, note
    use.covered_item_id = ticket.covered_item_id if used else None
    use.save()
    _event(
        ticket,
        user,
        Message(
            gettext_lazy("Parts used: %(used)d × %(part)s; returned to stock: %(returned)d"),
            params={"used": used, "returned": returned, "part": str(use.stock_item)},
        ),
        now,
        action="part_settle",
        part=use.pk,
    )
    return use


# Substitute devices ------------------------------------------------------------------------------


@transaction.atomic
def substitute_install(
    *, ticket: Ticket, user: User, device, model="", serial_number="", location, now=None
) -> Substitute:
    """A substitute device installed at the customer's site: the substitute-device promise
    is kept at this moment (met, or breached if its deadline had passed)."""
    now = now or timezone.now()
    ticket = _open_ticket_locked(
        ticket,
        user,
        forbidden=_("You may not install a substitute device for this ticket."),
        finished=_("This ticket is finished: it needs no substitute device."),
    )
    errors = {}
    fields = {}
    for field, value, required, length in (
        ("device", device, True, 200),
        ("model", model, False, 100),
        ("serial_number", serial_number, False, 100),
        ("location", location, True, 200),
    ):
        try:
            if required:
                fields[field] = _required_text(value, field=field, max_length=length)
            else:
                fields[field] = clean_text(value, field=field, max_length=length).strip()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if ticket.substitutes.filter(returned_at__isnull=True).exists():
        raise TransitionConflict(_("A substitute device is already installed for this ticket."))
    substitute = Substitute.objects.create(
        ticket=ticket, installed_at=now, installed_by=user, **fields
    )
    clock = ticket_promise_kept(ticket=ticket, kind=SlaClock.Kind.SUBSTITUTE, at=now)
    _event(
        ticket,
        user,
        Message(
            gettext_lazy("Substitute device installed: %(device)s at %(location)s"),
            params={"device": str(substitute), "location": substitute.location},
        ),
        now,
        action="substitute_install",
        substitute=substitute.pk,
        clocks={clock.kind: clock.status} if clock else {},
    )
    return substitute


@transaction.atomic
def substitute_return(*, substitute: Substitute, user: User, now=None) -> Substitute:
    """The substitute taken back, once the customer's own device works again."""
    now = now or timezone.now()
    substitute = (
        Substitute.objects.select_for_update().select_related("ticket").get(pk=substitute.pk)
    )
    if not may.work_with_parts(substitute.ticket, user):
        raise TransitionForbidden(_("You may not take this substitute device back."))
    if substitute.returned_at is not None:
        raise TransitionConflict(_("This substitute device was already taken back."))
    substitute.returned_at, substitute.returned_by = now, user
    substitute.save(update_fields=["returned_at", "returned_by", "updated_at"])
    _event(
        substitute.ticket,
        user,
        Message(
            gettext_lazy("Substitute device taken back: %(device)s"),
            params={"device": str(substitute)},
        ),
        now,
        action="substitute_return",
        substitute=substitute.pk,
    )
    return substitute
