"""Versions and upgrades (seed 000, 1.5.6; seed 002 (7); seed 004, 7.3.1.5): "提出升级方案；
备份原有应用系统；停止原有应用系统；安装配置新的应用系统；启动新的应用系统；观察新的应用系统的运行
情况；如有异常，恢复原有应用系统". An upgrade is planned work whose steps are checked off in
that order; the way back restores the previous system and records why; a retry starts
again from the backup. A finished upgrade records the item's new version."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from contracts.models import CoveredItem
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_text
from maintenance import permissions as may
from maintenance.models import DowntimeWindow, InstalledVersion, Upgrade, UpgradeStep

Step = UpgradeStep.Step
# The steps in their order; restoring is the way back, not a step forward.
FORWARD = [Step.PLAN, Step.BACKUP, Step.STOP, Step.INSTALL, Step.START, Step.OBSERVE]


def current_version(item: CoveredItem) -> str:
    """The version the item runs: its latest installed version; for software without one,
    the version its record gives as model ("V3.2"). A device's model is not a version."""
    latest = item.versions.order_by("-installed_at", "-pk").first()
    if latest is not None:
        return latest.version
    return item.model if item.kind == CoveredItem.Kind.SOFTWARE else ""


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    text = clean_text(value, field=field, max_length=max_length).strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    return text


@transaction.atomic
def version_record(*, item: CoveredItem, user: User, version, note="", now=None):
    """A version found installed (the item's first record, or work done outside an upgrade)."""
    if not may.record_version(user):
        raise TransitionForbidden(_("You may not record versions."))
    return InstalledVersion.objects.create(
        item=item,
        version=_text(version, field="version", max_length=100),
        note=_text(note, field="note", max_length=300, required=False),
        installed_at=now or timezone.now(),
        installed_by=user,
    )


@transaction.atomic
def upgrade_plan(
    *,
    user: User,
    item: CoveredItem,
    to_version,
    plan,
    engineer: User | None,
    window: DowntimeWindow | None = None,
    now: datetime | None = None,
) -> Upgrade:
    """Plan an upgrade of the item: the plan is its first step."""
    if not may.plan_upgrade(user):
        raise TransitionForbidden(_("You may not plan upgrades."))
    now = now or timezone.now()
    # One upgrade of an item open at a time: two would each record their version.
    item = CoveredItem.objects.select_for_update().get(pk=item.pk)
    errors = {}
    values = {}
    for field, value, length in (("to_version", to_version, 100), ("plan", plan, 10000)):
        try:
            values[field] = _text(value, field=field, max_length=length)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    running = current_version(item)
    if values.get("to_version") and values["to_version"] == running:
        errors["to_version"] = [_("The item runs this version already.")]
    if engineer is None or not engineer.is_active or not engineer.has_role(Role.ENGINEER):
        errors["engineer"] = [_("Choose an engineer.")]
    if Upgrade.objects.filter(item=item, state__in=OPEN_STATES).exists():
        errors["to_version"] = [_("Another upgrade of this item is open: finish it first.")]
    if window is not None and not (
        window.site_id == item.site_id
        and window.state == DowntimeWindow.State.PLANNED
        and window.ends_at > now
    ):
        errors["window"] = [_("Choose a planned downtime, still to come, of this item's site.")]
    if errors:
        raise ValidationError(errors)
    upgrade = Upgrade.objects.create(
        item=item,
        from_version=running,
        engineer=engineer,
        window=window,
        planned_by=user,
        **values,
    )
    UpgradeStep.objects.create(
        upgrade=upgrade, attempt=1, step=Step.PLAN, done_at=now, done_by=user, note=values["plan"]
    )
    return upgrade


# An upgrade that still holds its item: planned or under way.
OPEN_STATES = (Upgrade.State.PLANNED, Upgrade.State.IN_PROGRESS)


def may_roll_back(upgrade: Upgrade) -> bool:
    """Under way with this attempt's backup made: there is something to restore."""
    return upgrade.state == Upgrade.State.IN_PROGRESS and any(
        s.step == Step.BACKUP and s.attempt == upgrade.attempt for s in upgrade.steps.all()
    )


def may_retry(upgrade: Upgrade) -> bool:
    return upgrade.state == Upgrade.State.ROLLED_BACK


def next_step(upgrade: Upgrade) -> str | None:
    """The step to check off next in the current attempt, or None when none is open."""
    if upgrade.state in (Upgrade.State.DONE, Upgrade.State.ROLLED_BACK):
        return None
    done = {s.step for s in upgrade.steps.all() if s.attempt == upgrade.attempt}
    for step in FORWARD:
        if step not in done and not (step == Step.PLAN and upgrade.attempt > 1):
            return step
    return None


def _locked(upgrade: Upgrade, user: User) -> Upgrade:
    upgrade = Upgrade.objects.select_for_update().select_related("item").get(pk=upgrade.pk)
    if not may.work_upgrade(upgrade, user):
        raise TransitionForbidden(_("Only the engineer of this upgrade may record its steps."))
    return upgrade


@transaction.atomic
def upgrade_step(*, upgrade: Upgrade, user: User, step, note="", now=None) -> Upgrade:
    """Check off the next step with the engineer's note; the last one finishes the upgrade
    and records the item's new version."""
    now = now or timezone.now()
    upgrade = _locked(upgrade, user)
    expected = next_step(upgrade)
    if expected is None:
        raise TransitionConflict(_("This upgrade has no step open."))
    if step != expected:
        raise TransitionConflict(_("Next comes: %(step)s.") % {"step": Step(expected).label})
    note = _text(note, field="note", max_length=5000, required=False)
    UpgradeStep.objects.create(
        upgrade=upgrade, attempt=upgrade.attempt, step=step, done_at=now, done_by=user, note=note
    )
    if step == Step.OBSERVE:
        if current_version(upgrade.item) != upgrade.from_version:
            raise TransitionConflict(
                _("The item no longer runs %(version)s: its version changed meanwhile.")
                % {"version": upgrade.from_version or "—"}
            )
        upgrade.state, upgrade.finished_at = Upgrade.State.DONE, now
        InstalledVersion.objects.create(
            item=upgrade.item,
            version=upgrade.to_version,
            installed_at=now,
            installed_by=user,
            upgrade=upgrade,
        )
    else:
        upgrade.state = Upgrade.State.IN_PROGRESS
    upgrade.save(update_fields=["state", "finished_at", "updated_at"])
    return upgrade


@transaction.atomic
def upgrade_roll_back(*, upgrade: Upgrade, user: User, reason, now=None) -> Upgrade:
    """Something is wrong with the new system: restore the previous one, and say why."""
    now = now or timezone.now()
    upgrade = _locked(upgrade, user)
    if not may_roll_back(upgrade):
        raise TransitionConflict(_("Only an upgrade under way, with its backup made, rolls back."))
    reason = _text(reason, field="reason", max_length=5000)
    UpgradeStep.objects.create(
        upgrade=upgrade,
        attempt=upgrade.attempt,
        step=Step.RESTORE,
        done_at=now,
        done_by=user,
        note=reason,
    )
    upgrade.state, upgrade.finished_at = Upgrade.State.ROLLED_BACK, now
    upgrade.save(update_fields=["state", "finished_at", "updated_at"])
    return upgrade


@transaction.atomic
def upgrade_retry(*, upgrade: Upgrade, user: User, now=None) -> Upgrade:
    """Try again after a roll-back: a new attempt, from the backup."""
    upgrade = _locked(upgrade, user)
    if not may_retry(upgrade):
        raise TransitionConflict(_("Only a rolled-back upgrade is tried again."))
    others = Upgrade.objects.filter(item_id=upgrade.item_id, state__in=OPEN_STATES)
    if others.exclude(pk=upgrade.pk).exists():
        raise TransitionConflict(_("Another upgrade of this item is open: finish it first."))
    upgrade.state, upgrade.finished_at = Upgrade.State.IN_PROGRESS, None
    upgrade.attempt += 1
    upgrade.save(update_fields=["state", "finished_at", "attempt", "updated_at"])
    return upgrade
