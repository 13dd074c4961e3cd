"""Writes on planned downtime: plan a window, change it, cancel it, and the reminders
before it starts (beat, or `manage.py downtime_remind`). Every one of them tells the
customer's people through the one notification service, once per person and version."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from contracts.models import Site
from contracts.selectors import contacts_to_tell
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_number, clean_text
from core.translatable import Message
from maintenance import permissions as may
from maintenance.models import DowntimeWindow
from tickets.notify import Notice, notify_all

# A window announced: how long it may last, and how far ahead a reminder may go.
MAX_WINDOW = timedelta(days=31)
MAX_NOTICE_HOURS = 24 * 30

_TITLES = {
    "planned": gettext_lazy("Planned maintenance at %(site)s: %(start)s – %(end)s"),
    "changed": gettext_lazy("Planned maintenance changed at %(site)s: now %(start)s – %(end)s"),
    "cancelled": gettext_lazy("Planned maintenance cancelled at %(site)s: %(start)s – %(end)s"),
    "reminder": gettext_lazy("Reminder: maintenance at %(site)s from %(start)s to %(end)s"),
}
_BODY = gettext_lazy("%(reason)s\n%(items)s\n%(work)s")


def _people(window: DowntimeWindow) -> tuple[list[User], list[str]]:
    """Who is told: the customer's contacts (in the portal and by e-mail if they log in, by
    e-mail alone if they do not), and the desk and engineers of the site's branch, who take
    the calls it may cause."""
    users, addresses = contacts_to_tell([window.customer_id])
    if window.site.branch_id:
        users += User.objects.filter(
            is_active=True,
            branch_id=window.site.branch_id,
            groups__name__in=[Role.AGENT, Role.ENGINEER],
        )
    return users, addresses


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _tell(window: DowntimeWindow, what: str) -> int:
    items = ", ".join(str(item) for item in window.items.all())
    message = Message(
        _TITLES[what],
        _BODY,
        {
            "site": window.site.name,
            "start": _local(window.starts_at),
            "end": _local(window.ends_at),
            "reason": window.reason,
            "items": items,
            "work": window.work,
        },
    )
    users, addresses = _people(window)
    key = f"downtime:{window.pk}:v{window.version}:{what}"
    return notify_all([Notice(users, message, key=key, addresses=addresses)])


def _clean(*, site, items, starts_at, ends_at, reason, work, notice_hours, now) -> dict:
    errors: dict = {}
    values: dict = {}
    if site is None:
        errors["site"] = [_("Choose a site.")]
    items = list(items or [])
    if site is not None and any(item.customer_id != site.customer_id for item in items):
        errors["items"] = [_("Choose items of this site's customer.")]
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(moment, datetime):
            errors[field] = [_("Enter a date and time.")]
    if "starts_at" not in errors and "ends_at" not in errors:
        if starts_at <= now:
            errors["starts_at"] = [_("A planned window starts in the future.")]
        if ends_at <= starts_at:
            errors["ends_at"] = [_("The window ends after it starts.")]
        elif ends_at - starts_at > MAX_WINDOW:
            errors["ends_at"] = [_("A window lasts at most 31 days.")]
    try:
        values["reason"] = clean_text(reason, field="reason", max_length=300).strip()
        if not values["reason"]:
            errors["reason"] = [_("Say why the system stops.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        values["work"] = clean_text(work, field="work", max_length=5000).strip()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        hours = clean_number(
            notice_hours, field="notice_hours", minimum=0, maximum=MAX_NOTICE_HOURS, integer=True
        )
        values["notice_hours"] = 24 if hours is None else hours
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {**values, "site": site, "items": items, "starts_at": starts_at, "ends_at": ends_at}


@transaction.atomic
def downtime_plan(
    *,
    user: User,
    site: Site | None,
    items=(),
    starts_at,
    ends_at,
    reason,
    work="",
    notice_hours=None,
    now: datetime | None = None,
) -> DowntimeWindow:
    """Plan a window and tell the customer's people now; they are reminded before it starts."""
    if not may.plan_downtime(user):
        raise TransitionForbidden(_("You may not plan downtime."))
    now = now or timezone.now()
    values = _clean(
        site=site,
        items=items,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        work=work,
        notice_hours=notice_hours,
        now=now,
    )
    items = values.pop("items")
    window = DowntimeWindow.objects.create(
        customer_id=values["site"].customer_id, created_by=user, **values
    )
    window.items.set(items)
    _tell(window, "planned")
    return window


@transaction.atomic
def downtime_change(
    *,
    window: DowntimeWindow,
    user: User,
    items=None,
    starts_at,
    ends_at,
    reason,
    work="",
    notice_hours=None,
    now: datetime | None = None,
) -> DowntimeWindow:
    """Move or reword a planned window: a new version, told again, reminded again."""
    if not may.plan_downtime(user):
        raise TransitionForbidden(_("You may not plan downtime."))
    now = now or timezone.now()
    window = DowntimeWindow.objects.select_for_update().select_related("site").get(pk=window.pk)
    if window.state != DowntimeWindow.State.PLANNED:
        raise TransitionConflict(_("This window was cancelled."))
    if window.starts_at <= now:
        raise TransitionConflict(_("This window has started: it can no longer change."))
    values = _clean(
        site=window.site,
        items=window.items.all() if items is None else items,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        work=work,
        notice_hours=notice_hours,
        now=now,
    )
    values.pop("site")
    new_items = values.pop("items")
    for field, value in values.items():
        setattr(window, field, value)
    window.version += 1
    window.save()
    window.items.set(new_items)
    _tell(window, "changed")
    return window


@transaction.atomic
def downtime_cancel(*, window: DowntimeWindow, user: User, now: datetime | None = None):
    if not may.plan_downtime(user):
        raise TransitionForbidden(_("You may not plan downtime."))
    now = now or timezone.now()
    window = DowntimeWindow.objects.select_for_update().select_related("site").get(pk=window.pk)
    if window.state != DowntimeWindow.State.PLANNED:
        raise TransitionConflict(_("This window was cancelled already."))
    if window.ends_at <= now:
        raise TransitionConflict(_("This window is over."))
    window.state = DowntimeWindow.State.CANCELLED
    window.version += 1
    window.save(update_fields=["state", "version", "updated_at"])
    _tell(window, "cancelled")
    return window


def downtime_remind(*, now: datetime | None = None) -> int:
    """Remind the customer's people of each planned window whose notice time has come and
    that has not started, once per version (a change sends a new reminder). Returns the
    windows reminded."""
    now = now or timezone.now()
    due = DowntimeWindow.objects.filter(
        state=DowntimeWindow.State.PLANNED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=MAX_NOTICE_HOURS),
    ).select_related("site")
    reminded = 0
    for window in due:
        if window.reminded_version == window.version:
            continue
        if window.starts_at - timedelta(hours=window.notice_hours) > now:
            continue
        with transaction.atomic():
            # Changed or cancelled meanwhile: the next run judges the new version.
            locked = (
                DowntimeWindow.objects.select_for_update(of=("self",))
                .select_related("site")
                .get(pk=window.pk)
            )
            if (
                locked.version != window.version
                or locked.reminded_version == locked.version
                or locked.state != DowntimeWindow.State.PLANNED
            ):
                continue
            _tell(locked, "reminder")
            locked.reminded_version = locked.version
            locked.save(update_fields=["reminded_version", "updated_at"])
            reminded += 1
    return reminded
