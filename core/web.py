"""What every app's pages share: the role guard, running a service for a form post, and
sending a stored file.

The guard reads the role from the user (`request.user.role`, accounts.models.User), so
this module needs no app of the project; the role tuples it is given come from
accounts/roles.py.
"""

import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from core.errors import TicketActionError

# What a browser may show inline; anything else is only ever downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


def role_required(*roles: str):
    """Logged in, and one of these roles; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# What a service raises when it refuses: bad input, or a step the user may not take now.
REFUSALS = (ValidationError, TicketActionError)


def refusal_messages(request, exc: Exception, labels: dict | None = None) -> None:
    """A refused service call as error messages on the next page.

    A field's error is named by its translated label when the caller knows it, and
    otherwise stands alone: a person never reads a code name like "photo:".
    """
    if isinstance(exc, TicketActionError):
        messages.error(request, exc.message)
        return
    labels = labels or {}
    for field, errors in getattr(exc, "message_dict", {"": exc.messages}).items():
        for error in errors:
            label = labels.get(field)
            messages.error(request, f"{label}: {error}" if label else error)


def refusal_to_form(form, exc: Exception) -> None:
    """A refused service call as errors on the form that was posted: each beside its field,
    the rest above the form, so the page can be shown again with everything typed kept."""
    if isinstance(exc, TicketActionError):
        form.add_error(None, exc.message)
        return
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def run_action(request, action, *, success: str | None = None) -> bool:
    """Run a service call for a form post; report refusals as messages. True if it worked."""
    try:
        action()
    except REFUSALS as exc:
        refusal_messages(request, exc)
        return False
    if success:
        messages.success(request, success)
    return True


def stored_file_response(
    stored, *, filename: str, as_attachment: bool = False, content_type: str | None = None
) -> HttpResponse:
    """An uploaded or rendered file as one response.

    Files here are photos, signatures and reports of a few megabytes: read
    whole, the response holds no open file and no half-finished request.
    """
    with stored.open("rb") as handle:
        data = handle.read()
    guessed = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if guessed not in INLINE_TYPES:
        # Anything a browser could run (HTML, SVG, scripts) is only ever downloaded:
        # a customer's upload must never execute in an agent's session.
        guessed, as_attachment = "application/octet-stream", True
    response = HttpResponse(data, content_type=guessed)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
