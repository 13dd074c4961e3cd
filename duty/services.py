"""Writes on the duty roster (值班表, seed 002, 4.5.3): put an engineer of the branch on
duty, change or remove a shift, copy last week's roster, plan an event, and tell the
branch's managers once about each holiday or event nobody covers. Pages, API, admin-free
demo and the beat task call these alone."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Branch, DutyShift, User
from accounts.roles import Role
from contracts.models import Site
from core.errors import TransitionForbidden
from core.inputs import clean_text, date_problem
from core.translatable import Message
from duty import permissions as may
from duty.models import DutyEvent
from duty.selectors import GAP_DAYS, GapKind, gaps_ahead
from duty.weeks import week_name
from tickets.notify import notify

# A shift is a day, a night or a long holiday weekend; a fortnight is surely a typing error.
MAX_SHIFT = timedelta(days=7)
MAX_EVENT = timedelta(days=31)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _text(values: dict, errors: dict, field: str, value, max_length: int) -> None:
    try:
        values[field] = clean_text(value or "", field=field, max_length=max_length).strip()
    except ValidationError as exc:
        errors.update(exc.message_dict)


def _period(errors: dict, starts_at, ends_at, longest: timedelta) -> None:
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = [_("Enter a date and time.")]
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = [_("Enter a date and time.")]
    if errors.keys() & {"starts_at", "ends_at"}:
        return
    # The years the desk handles (core.inputs): a typo of year 0001 would store a moment
    # the database cannot give back.
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        problem = date_problem(moment.date())
        if problem:
            errors[field] = [problem]
    if errors.keys() & {"starts_at", "ends_at"}:
        return
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    elif ends_at - starts_at > longest:
        errors["ends_at"] = [_("At most %(days)d days from the start.") % {"days": longest.days}]


def _clean_shift(*, branch, engineer, starts_at, ends_at, kind, mode, site, event, note) -> dict:
    errors: dict = {}
    values: dict = {}
    if not (
        isinstance(engineer, User)
        and engineer.is_active
        and engineer.has_role(Role.ENGINEER)
        and engineer.branch_id == branch.pk
    ):
        errors["engineer"] = [_("Choose an engineer of this branch.")]
    _period(errors, starts_at, ends_at, MAX_SHIFT)
    if kind not in DutyShift.Kind.values:
        errors["kind"] = [_("Choose the kind of duty.")]
    if mode not in DutyShift.Mode.values:
        errors["mode"] = [_("Choose on call or on site.")]
    if site is not None and not isinstance(site, Site):
        errors["site"] = [_("Choose a site.")]
    elif site is not None and mode != DutyShift.Mode.ON_SITE:
        errors["site"] = [_("A site is only for duty kept on site.")]
    _text(values, errors, "event", event, 200)
    _text(values, errors, "note", note, 200)
    if kind == DutyShift.Kind.EVENT and not values.get("event") and "event" not in errors:
        errors["event"] = [_("Name the event.")]
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "engineer": engineer,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "kind": kind,
        "mode": mode,
        "site": site,
    }


def _refuse_overlap(values: dict, *, exclude: int | None = None) -> None:
    """One engineer, one duty at a time. The engineer's row is locked first, so two
    managers planning the same person at once are checked one after the other; the
    exclusion constraint (accounts.DutyShift) holds whatever gets past."""
    engineer = values["engineer"]
    User.objects.select_for_update().filter(pk=engineer.pk).first()
    clash = (
        DutyShift.objects.filter(
            engineer=engineer, starts_at__lt=values["ends_at"], ends_at__gt=values["starts_at"]
        )
        .exclude(pk=exclude)
        .select_related("branch")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "starts_at": _(
                    "%(engineer)s is already on duty from %(start)s to %(end)s (%(branch)s)."
                )
                % {
                    "engineer": engineer.get_full_name() or engineer.username,
                    "start": _local(clash.starts_at),
                    "end": _local(clash.ends_at),
                    "branch": clash.branch.name,
                }
            }
        )


def _save(shift: DutyShift, **kwargs) -> DutyShift:
    try:
        with transaction.atomic():
            shift.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(
            {"starts_at": _("This engineer is already on duty at that time.")}
        ) from exc
    return shift


def _may_plan(user, branch) -> None:
    if not may.plan_duty(user, branch):
        raise TransitionForbidden(_("You may not plan this branch's duty."))


@transaction.atomic
def shift_add(
    *,
    user: User,
    branch: Branch,
    engineer: User | None,
    starts_at,
    ends_at,
    kind=DutyShift.Kind.REGULAR,
    mode=DutyShift.Mode.ON_CALL,
    site: Site | None = None,
    event="",
    note="",
) -> DutyShift:
    """Put an engineer of the branch on duty, on call or on site, refused if they are on
    duty then already (at any branch)."""
    _may_plan(user, branch)
    values = _clean_shift(
        branch=branch,
        engineer=engineer,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        mode=mode,
        site=site,
        event=event,
        note=note,
    )
    _refuse_overlap(values)
    return _save(DutyShift(branch=branch, **values))


@transaction.atomic
def shift_change(
    *,
    user: User,
    shift: DutyShift,
    engineer: User | None,
    starts_at,
    ends_at,
    kind,
    mode,
    site: Site | None = None,
    event="",
    note="",
) -> DutyShift:
    """Change a shift; its branch stays."""
    _may_plan(user, shift.branch)
    shift = DutyShift.objects.select_for_update().select_related("branch").get(pk=shift.pk)
    values = _clean_shift(
        branch=shift.branch,
        engineer=engineer,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        mode=mode,
        site=site,
        event=event,
        note=note,
    )
    _refuse_overlap(values, exclude=shift.pk)
    for name, value in values.items():
        setattr(shift, name, value)
    return _save(shift)


@transaction.atomic
def shift_remove(*, user: User, shift: DutyShift) -> None:
    _may_plan(user, shift.branch)
    DutyShift.objects.filter(pk=shift.pk).delete()


@transaction.atomic
def week_copy(*, user: User, branch: Branch, monday: date) -> tuple[int, int]:
    """Copy the previous week's regular shifts of the branch into the week from `monday`,
    each a week later (holiday and event duty belong to their day). A shift whose engineer
    left the branch, or who is on duty then already (copied before, or planned meanwhile),
    is skipped. Returns (copied, skipped)."""
    _may_plan(user, branch)
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(monday, datetime.min.time()), zone)
    previous = (
        DutyShift.objects.filter(
            branch=branch,
            kind=DutyShift.Kind.REGULAR,
            starts_at__gte=start - timedelta(days=7),
            starts_at__lt=start,
        )
        .select_related("engineer", "site")
        .order_by("starts_at", "pk")
    )
    copied = skipped = 0
    for shift in previous:
        # A week later by the wall clock, so 08:00 stays 08:00.
        begins = timezone.localtime(shift.starts_at, zone).replace(tzinfo=None) + timedelta(7)
        ends = timezone.localtime(shift.ends_at, zone).replace(tzinfo=None) + timedelta(7)
        try:
            with transaction.atomic():
                shift_add(
                    user=user,
                    branch=branch,
                    engineer=shift.engineer,
                    starts_at=timezone.make_aware(begins, zone),
                    ends_at=timezone.make_aware(ends, zone),
                    kind=shift.kind,
                    mode=shift.mode,
                    site=shift.site,
                    event=shift.event,
                    note=shift.note,
                )
        except ValidationError:
            skipped += 1
        else:
            copied += 1
    return copied, skipped


def _clean_event(*, name, starts_at, ends_at, site) -> dict:
    errors: dict = {}
    values: dict = {}
    _text(values, errors, "name", name, 200)
    if not values.get("name") and "name" not in errors:
        errors["name"] = [_("Name the event.")]
    _period(errors, starts_at, ends_at, MAX_EVENT)
    if site is not None and not isinstance(site, Site):
        errors["site"] = [_("Choose a site.")]
    if errors:
        raise ValidationError(errors)
    return {**values, "starts_at": starts_at, "ends_at": ends_at, "site": site}


@transaction.atomic
def event_add(*, user: User, branch: Branch, name, starts_at, ends_at, site=None) -> DutyEvent:
    """An important meeting or activity the branch must keep duty for, all of its time."""
    _may_plan(user, branch)
    values = _clean_event(name=name, starts_at=starts_at, ends_at=ends_at, site=site)
    return DutyEvent.objects.create(branch=branch, created_by=user, **values)


@transaction.atomic
def event_remove(*, user: User, event: DutyEvent) -> None:
    _may_plan(user, event.branch)
    DutyEvent.objects.filter(pk=event.pk).delete()


_GAP_TITLE = gettext_lazy("Duty gap: %(branch)s, %(day)s")
_GAP_BODY = gettext_lazy(
    "%(kind)s %(name)s (%(start)s – %(end)s): nobody of %(branch)s is on duty from "
    "%(from)s to %(to)s. Plan the duty: %(url)s"
)


def _managers(branch: Branch) -> list[User]:
    """The branch's service managers; a branch without one, the leadership group."""
    managers = User.objects.filter(is_active=True, branch=branch, groups__name=Role.MANAGER)
    leaders = User.objects.filter(is_active=True, groups__name=Role.LEADER)
    return list(managers.distinct()) or list(leaders.distinct())


def gaps_remind(*, now: datetime | None = None, days: int = GAP_DAYS) -> int:
    """Tell each branch's managers about the holidays and events of the next `days` days
    that nobody covers: when the gap comes into view, 3 days before and the day before
    (`_lead`). Returns the notifications written; a second run the same day writes none
    (notify's key)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    site = settings.SITE_URL.rstrip("/")
    written = 0
    for branch in Branch.objects.order_by("pk"):
        gaps = gaps_ahead(branch=branch, today=today, days=days)
        if not gaps:
            continue
        managers = _managers(branch)
        for gap in gaps:
            first_from, _to = gap.uncovered[0]
            message = Message(
                _GAP_TITLE,
                _GAP_BODY,
                {
                    "branch": branch.name,
                    "day": gap.day.isoformat(),
                    "kind": GapKind(gap.kind).label,
                    "name": gap.name,
                    "start": _local(gap.starts_at),
                    "end": _local(gap.ends_at),
                    "from": _local(first_from),
                    "to": _local(gap.uncovered[-1][1]),
                    "url": f"{site}{reverse('duty:week')}?branch={branch.pk}"
                    f"&week={week_name(gap.day - timedelta(days=gap.day.weekday()))}",
                },
            )
            written += notify(managers, message, key=f"{gap.key}:{_lead(gap.day, today)}")
    return written


# A gap is told when it comes into view, again 3 days before and the day before: a manager
# who read the first and forgot is reminded while there is still time.
REMIND_DAYS_BEFORE = (3, 1)


def _lead(day: date, today: date) -> int:
    """The reminder step a gap `day` is at: the nearest of REMIND_DAYS_BEFORE not passed
    yet, or 0 for the first notice."""
    ahead = (day - today).days
    return min((d for d in REMIND_DAYS_BEFORE if ahead <= d), default=0)
