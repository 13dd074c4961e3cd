"""The API's workflow actions, generated from the one transition table.

Every transition in `tickets.services.transitions.TRANSITION_EFFECTS` is
`POST /api/tickets/{id}/<name>/` with a `note` (required for cancel, close and reject:
ACTIONS_NEEDING_A_REASON). The few that need more name
their request serializer and the service that takes it here, the same service
the pages call; `change_priority` is not a state change but is offered the same
way. `tickets/api/views.py` turns each entry into a DRF action.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rest_framework import serializers

from tickets.api.serializers import (
    CheckInInputSerializer,
    DispatchSerializer,
    NoteSerializer,
    PrioritySerializer,
    ReasonSerializer,
    ResolveSerializer,
)
from tickets.models import Ticket
from tickets.services.priority import ticket_change_priority
from tickets.services.transitions import (
    ACTIONS_NEEDING_A_REASON,
    TRANSITION_EFFECTS,
    ticket_dispatch,
    ticket_resolve,
    ticket_transition,
)
from tickets.work_services import ticket_check_in

# (ticket_id, user, validated data) -> None; raises what the API maps to 400/403/409.
Runner = Callable[[int, object, Mapping], object]


@dataclass(frozen=True)
class ApiAction:
    name: str
    serializer: type[serializers.Serializer]
    run: Runner
    # The view's attribute, where the name is taken by DRF itself ("dispatch").
    attribute: str = ""

    @property
    def method_name(self) -> str:
        return self.attribute or self.name

    @property
    def url_name(self) -> str:
        return self.name.replace("_", "-")


def _plain(name: str) -> Runner:
    def run(ticket_id, user, data):
        return ticket_transition(ticket_id=ticket_id, name=name, user=user, note=data["note"])

    return run


def _dispatch(ticket_id, user, data):
    return ticket_dispatch(
        ticket_id=ticket_id, user=user, engineer=data["engineer"], note=data["note"]
    )


def _check_in(ticket_id, user, data):
    return ticket_check_in(
        ticket=Ticket.objects.get(pk=ticket_id),
        user=user,
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        accuracy=data.get("accuracy"),
        photo=data.get("photo"),
        note=data["note"],
    )


def _resolve(ticket_id, user, data):
    report = {k: v for k, v in data.items() if k != "note"}
    return ticket_resolve(ticket_id=ticket_id, user=user, report=report, note=data["note"])


def _change_priority(ticket_id, user, data):
    return ticket_change_priority(
        ticket_id=ticket_id, user=user, priority=data["priority"], note=data["note"]
    )


# Transitions that take more than a note.
_WITH_DATA = {
    "dispatch": ApiAction("dispatch", DispatchSerializer, _dispatch, "dispatch_engineer"),
    "check_in": ApiAction("check_in", CheckInInputSerializer, _check_in),
    "resolve": ApiAction("resolve", ResolveSerializer, _resolve),
}

API_ACTIONS: list[ApiAction] = [
    *(
        _WITH_DATA.get(name)
        or ApiAction(
            name,
            ReasonSerializer if name in ACTIONS_NEEDING_A_REASON else NoteSerializer,
            _plain(name),
        )
        for name in TRANSITION_EFFECTS
    ),
    ApiAction("change_priority", PrioritySerializer, _change_priority),
]
