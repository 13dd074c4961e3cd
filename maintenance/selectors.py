"""Reading planned downtime: the windows a person may see, those of a ticket's moment and
item, and the tickets reported during a window."""

from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.selectors import customer_id_of
from maintenance import permissions as may
from maintenance.models import DowntimeWindow
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to


def windows_visible_to(user) -> QuerySet[DowntimeWindow]:
    windows = DowntimeWindow.objects.select_related("customer", "site").prefetch_related("items")
    if may.see_all_windows(user):
        return windows
    customer_id = customer_id_of(user) if user.is_authenticated else None
    if customer_id is None:
        return DowntimeWindow.objects.none()
    return windows.filter(customer_id=customer_id)


def _covering(site_id, item_id, moment: datetime) -> QuerySet[DowntimeWindow]:
    """Planned windows open at `moment` on this site as a whole, or on this item."""
    around = DowntimeWindow.objects.filter(
        state=DowntimeWindow.State.PLANNED, starts_at__lte=moment, ends_at__gt=moment
    )
    whole_site = Q(site_id=site_id, items__isnull=True) if site_id else Q(pk__in=[])
    on_item = Q(items__id=item_id) if item_id else Q(pk__in=[])
    return around.filter(whole_site | on_item).distinct()


def windows_of_ticket(ticket: Ticket) -> QuerySet[DowntimeWindow]:
    """The planned windows the ticket was reported in, for its item or its whole site: the
    fault may be the planned work itself, or caused by it."""
    return _covering(ticket.site_id, ticket.covered_item_id, ticket.reported_at)


def tickets_during(window: DowntimeWindow, user: User) -> QuerySet[Ticket]:
    """Tickets of the window's site (or items) reported while it was open, that this user
    may see."""
    items = list(window.items.values_list("pk", flat=True))
    tickets = Ticket.objects.filter(
        customer_id=window.customer_id,
        reported_at__gte=window.starts_at,
        reported_at__lt=window.ends_at,
    )
    tickets = (
        tickets.filter(covered_item_id__in=items)
        if items
        else tickets.filter(site_id=window.site_id)
    )
    return tickets_visible_to(user, tickets).order_by("reported_at", "pk")
