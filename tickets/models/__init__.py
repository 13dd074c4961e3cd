from tickets.models.clocks import ClockPause, SlaClock
from tickets.models.escalations import EscalationRule, EscalationStep, Notification
from tickets.models.heartbeats import Heartbeat
from tickets.models.tickets import (
    FINISHED_STATES,
    OPEN_STATES,
    WORKING_STATES,
    Attachment,
    Channel,
    FaultReport,
    Kind,
    State,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from tickets.models.work import CheckIn, Comment, Rating, RemoteAccessRequest, SignOff, WorkLog

__all__ = [
    "FINISHED_STATES",
    "OPEN_STATES",
    "WORKING_STATES",
    "Attachment",
    "Channel",
    "CheckIn",
    "ClockPause",
    "Comment",
    "EscalationRule",
    "EscalationStep",
    "FaultReport",
    "Heartbeat",
    "Kind",
    "Notification",
    "Rating",
    "RemoteAccessRequest",
    "SignOff",
    "SlaClock",
    "State",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "WorkLog",
]
