"""A ticket's history as people read it: events, replies, notes, work, check-ins, by time."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from tickets.calendar_years import clock_moved_text
from tickets.models import Ticket


@dataclass
class Entry:
    at: datetime
    kind: str  # event, escalation, reply, internal, work, check_in
    who: str
    text: str
    detail: object = None


def ticket_timeline(ticket: Ticket, *, include_internal: bool) -> list[Entry]:
    """Everything that happened on the ticket; customers get replies and state changes only."""
    entries: list[Entry] = []
    for event in ticket.events.select_related("actor"):
        if event.kind == "escalation" and not include_internal:
            continue
        if event.kind == "note" and not include_internal:
            continue
        who = event.actor.get_full_name() or event.actor.username if event.actor else ""
        text = event.display_note
        if event.kind == "clock" and "changes" in event.data:
            # Rendered now, in the reader's language, from what the event recorded.
            text = clock_moved_text(event.data)
        entries.append(
            Entry(
                event.at,
                "escalation" if event.kind == "escalation" else "event",
                who,
                text,
                event,
            )
        )
    for comment in ticket.comments.select_related("author"):
        if comment.internal and not include_internal:
            continue
        entries.append(
            Entry(
                comment.created_at,
                "internal" if comment.internal else "reply",
                comment.author_name,
                comment.body,
            )
        )
    if include_internal:
        for log in ticket.work_logs.select_related("author"):
            entries.append(
                Entry(
                    log.created_at,
                    "work",
                    log.author.get_full_name() or log.author.username,
                    log.text,
                    log,
                )
            )
        for check in ticket.check_ins.select_related("engineer"):
            entries.append(
                Entry(
                    check.at,
                    "check_in",
                    check.engineer.get_full_name() or check.engineer.username,
                    # Said in words: a check-in without a place proves less.
                    _("Location not shared") if check.latitude is None else "",
                    check,
                )
            )
    entries.sort(key=lambda e: e.at)
    return entries
