from tickets.models.changes import ChangeApproval
from tickets.models.chat import ChatMessage, ChatRobot
from tickets.models.clocks import ClockPause, Outcome, SlaClock, clock_outcome
from tickets.models.complaints import ComplaintAnswer
from tickets.models.escalations import EscalationRule, EscalationStep, Notification
from tickets.models.heartbeats import Heartbeat
from tickets.models.records import Attachment, FaultReport, TicketEvent, TicketSequence
from tickets.models.rollups import SlaDurationRollup, SlaRollup
from tickets.models.submissions import Submission
from tickets.models.tickets import (
    FINISHED_STATES,
    OPEN_FIRST,
    OPEN_STATES,
    UNACKNOWLEDGED,
    WORKING_STATES,
    Channel,
    Kind,
    State,
    Ticket,
)
from tickets.models.trial import (
    Size,
    TrialAnswer,
    response_kept_at,
    trial_answer_of,
    trial_fix_hours,
)
from tickets.models.work import CheckIn, Comment, Rating, RemoteAccessRequest, SignOff, WorkLog

__all__ = [
    "FINISHED_STATES",
    "OPEN_FIRST",
    "OPEN_STATES",
    "UNACKNOWLEDGED",
    "WORKING_STATES",
    "Attachment",
    "ChangeApproval",
    "Channel",
    "ChatMessage",
    "ChatRobot",
    "CheckIn",
    "ClockPause",
    "Comment",
    "ComplaintAnswer",
    "EscalationRule",
    "EscalationStep",
    "FaultReport",
    "Heartbeat",
    "Kind",
    "Notification",
    "Outcome",
    "Rating",
    "RemoteAccessRequest",
    "SignOff",
    "Size",
    "SlaClock",
    "SlaDurationRollup",
    "SlaRollup",
    "State",
    "Submission",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "TrialAnswer",
    "WorkLog",
    "clock_outcome",
    "response_kept_at",
    "trial_answer_of",
    "trial_fix_hours",
]
