"""Everything that happened to one covered item (a device or a software installation), from
every app that records it: its tickets and their check-ins, the parts put into it, the
substitutes lent for it, the inspections of its site, the planned downtime that stopped
it, the versions it ran and the upgrades planned for it. Each source is read through its
own visibility rule, so a customer's contact sees what the portal shows them and no more."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.roles import STAFF_ROLES
from accounts.selectors import role_of
from contracts.models import CoveredItem
from inspections.selectors import inspections_visible_to
from maintenance.models import Upgrade, UpgradeStep
from maintenance.selectors import windows_visible_to
from spares.models import PartUse, Substitute
from tickets.models import CheckIn, Ticket
from tickets.selectors import tickets_visible_to

# Rows read per source: a device's life in a page, whatever its age.
PER_SOURCE = 100


@dataclass
class Entry:
    at: datetime
    kind: str  # ticket, check_in, part, substitute, inspection, downtime, version, upgrade
    title: str
    detail: str = ""
    ticket: str = ""  # the ticket's number, when the entry belongs to one
    inspection: int | None = None
    window: int | None = None
    upgrade: int | None = None


def _day_moment(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())


def _visible_tickets(item, user):
    """The item's tickets this user may see: every source that hangs on a ticket reads these."""
    return tickets_visible_to(user, Ticket.objects.filter(covered_item=item))


def _tickets(item, user) -> list[Entry]:
    tickets = _visible_tickets(item, user).order_by("-reported_at")[:PER_SOURCE]
    return [
        Entry(
            at=t.reported_at,
            kind="ticket",
            title=f"{t.number} · {t.summary}",
            detail=f"{t.get_kind_display()} · {t.priority} · {t.get_state_display()}",
            ticket=t.number,
        )
        for t in tickets
    ]


def _check_ins(item, user) -> list[Entry]:
    visible = _visible_tickets(item, user).values("pk")
    check_ins = (
        CheckIn.objects.filter(ticket__in=visible)
        .select_related("ticket", "engineer")
        .order_by("-at")[:PER_SOURCE]
    )
    return [
        Entry(
            at=c.at,
            kind="check_in",
            title=_("Engineer on site: %(name)s") % {"name": c.engineer.get_full_name()},
            ticket=c.ticket.number,
        )
        for c in check_ins
    ]


def _parts(item, user) -> list[Entry]:
    visible = _visible_tickets(item, user).values("pk")
    uses = (
        PartUse.objects.filter(covered_item=item, state=PartUse.State.USED, ticket__in=visible)
        .select_related("stock_item", "ticket")
        .order_by("-settled_at")[:PER_SOURCE]
    )
    return [
        Entry(
            at=u.settled_at,
            kind="part",
            title=_("Part replaced: %(quantity)d × %(part)s")
            % {"quantity": u.used_quantity, "part": u.stock_item},
            detail=u.note,
            ticket=u.ticket.number,
        )
        for u in uses
    ]


def _substitutes(item, user) -> list[Entry]:
    visible = _visible_tickets(item, user).values("pk")
    entries = []
    for s in Substitute.objects.filter(ticket__in=visible).select_related("ticket")[:PER_SOURCE]:
        entries.append(
            Entry(
                at=s.installed_at,
                kind="substitute",
                title=_("Substitute device installed: %(device)s") % {"device": s},
                detail=s.location,
                ticket=s.ticket.number,
            )
        )
        if s.returned_at:
            entries.append(
                Entry(
                    at=s.returned_at,
                    kind="substitute",
                    title=_("Substitute device taken back: %(device)s") % {"device": s},
                    ticket=s.ticket.number,
                )
            )
    return entries


def _inspections(item, user) -> list[Entry]:
    if item.site_id is None:
        return []
    inspections = (
        inspections_visible_to(user)
        .filter(site_id=item.site_id, submitted_at__isnull=False)
        .annotate(
            checked=Count("results"), anomalies=Count("results", filter=Q(results__anomaly=True))
        )
        .order_by("-due_on")[:PER_SOURCE]
    )
    return [
        Entry(
            at=i.submitted_at or _day_moment(i.due_on),
            kind="inspection",
            title=_("Inspection of %(site)s") % {"site": item.site.name},
            detail=_inspection_detail(i),
            inspection=i.pk,
        )
        for i in inspections
    ]


def _inspection_detail(inspection) -> str:
    checked = ngettext("%(n)d item checked", "%(n)d items checked", inspection.checked) % {
        "n": inspection.checked
    }
    anomalies = ngettext("%(n)d anomaly", "%(n)d anomalies", inspection.anomalies) % {
        "n": inspection.anomalies
    }
    return _("%(checked)s, %(anomalies)s · %(state)s") % {
        "checked": checked,
        "anomalies": anomalies,
        "state": inspection.get_state_display(),
    }


def _downtime(item, user) -> list[Entry]:
    whole_site = Q(site_id=item.site_id, items__isnull=True) if item.site_id else Q(pk__in=[])
    windows = (
        windows_visible_to(user)
        .filter(whole_site | Q(items=item))
        .distinct()
        .order_by("-starts_at")[:PER_SOURCE]
    )
    return [
        Entry(
            at=w.starts_at,
            kind="downtime",
            title=_("Planned maintenance: %(reason)s") % {"reason": w.reason},
            detail=f"{timezone.localtime(w.starts_at):%Y-%m-%d %H:%M} – "
            f"{timezone.localtime(w.ends_at):%Y-%m-%d %H:%M} · {w.get_state_display()}",
            window=w.pk,
        )
        for w in windows
    ]


def _versions(item, user) -> list[Entry]:
    versions = item.versions.order_by("-installed_at")[:PER_SOURCE]
    # The note is the staff's (what was found, how it went): not shown to customers.
    staff = role_of(user) in STAFF_ROLES
    return [
        Entry(
            at=v.installed_at,
            kind="version",
            title=_("Version %(version)s installed") % {"version": v.version},
            detail=v.note if staff else "",
        )
        for v in versions
    ]


_UPGRADE_TITLES = {
    Upgrade.State.PLANNED: gettext_lazy("Upgrade to %(version)s planned"),
    Upgrade.State.IN_PROGRESS: gettext_lazy("Upgrade to %(version)s under way"),
    Upgrade.State.DONE: gettext_lazy("Upgraded to %(version)s"),
    Upgrade.State.ROLLED_BACK: gettext_lazy("Upgrade to %(version)s rolled back"),
}


def _upgrades(item, user) -> list[Entry]:
    """Each upgrade where it happened: when it finished, or when it was planned."""
    upgrades = Upgrade.objects.filter(item=item).annotate(
        planned_at=Min("steps__done_at", filter=Q(steps__step=UpgradeStep.Step.PLAN))
    )
    return [
        Entry(
            at=u.finished_at or u.planned_at or u.created_at,
            kind="upgrade",
            title=str(_UPGRADE_TITLES[u.state]) % {"version": u.to_version},
            upgrade=u.pk,
        )
        for u in upgrades.order_by("-created_at")[:PER_SOURCE]
    ]


SOURCES = [
    _tickets,
    _check_ins,
    _parts,
    _substitutes,
    _inspections,
    _downtime,
    _versions,
    _upgrades,
]


def item_history(item: CoveredItem, user) -> list[Entry]:
    """The item's life, latest first, each source read in this user's scope."""
    entries = [entry for source in SOURCES for entry in source(item, user)]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
