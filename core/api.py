"""API plumbing shared by the apps: error mapping and the root routes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import TicketActionError


def exception_handler(exc, context):
    """Rule violations from services become 400/403/409 with a clear message, never 500."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            data = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TicketActionError):
        data = {"detail": exc.message}
        ticket = getattr(exc, "ticket_state", None)
        if ticket:
            data["state"] = ticket
        return Response(data, status=exc.status_code)
    return drf_exception_handler(exc, context)
