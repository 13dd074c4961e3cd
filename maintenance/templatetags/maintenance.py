"""Planned downtime on the ticket pages, without the ticket views knowing about it: the
windows a ticket was reported in (`{% downtime_of ticket %}`), and on the portal's home the
customer's windows to come (`{% upcoming_downtime %}`)."""

from django import template
from django.utils import timezone

from maintenance.models import DowntimeWindow
from maintenance.selectors import windows_of_ticket, windows_visible_to

register = template.Library()


@register.inclusion_tag("maintenance/_ticket_flag.html")
def downtime_of(ticket):
    return {"windows": list(windows_of_ticket(ticket).select_related("site"))}


@register.inclusion_tag("maintenance/_upcoming.html", takes_context=True)
def upcoming_downtime(context):
    """The planned windows of the reader's organisation not over yet (the portal's home)."""
    now = timezone.now()
    windows = (
        windows_visible_to(context["request"].user)
        .filter(state=DowntimeWindow.State.PLANNED, ends_at__gt=now)
        .order_by("starts_at")[:10]
    )
    return {"windows": list(windows), "now": now}
