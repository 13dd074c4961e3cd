"""Why a ticket action was refused, in terms the API maps to status codes."""


class TicketActionError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionConflict(TicketActionError):
    """Not possible now (state, conditions, or someone else acted first): HTTP 409."""

    status_code = 409


class TransitionForbidden(TicketActionError):
    """This user may never take this action on this ticket: HTTP 403."""

    status_code = 403
