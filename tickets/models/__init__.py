from tickets.models.clocks import ClockPause, SlaClock
from tickets.models.escalations import EscalationRule, EscalationStep, Notification
from tickets.models.tickets import (
    Attachment,
    Channel,
    FaultReport,
    Kind,
    State,
    Ticket,
    TicketEvent,
    TicketSequence,
)

__all__ = [
    "Attachment",
    "Channel",
    "ClockPause",
    "EscalationRule",
    "EscalationStep",
    "FaultReport",
    "Kind",
    "Notification",
    "SlaClock",
    "State",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
]
