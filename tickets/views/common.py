"""Pages every role shares: landing, notifications, and the role guard the other views use."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import role_of
from core.errors import TicketActionError
from tickets.models import Notification
from tickets.permissions import DESK_ROLES

STAFF = ("agent", "engineer", "manager", "leader", "admin")
DESK = DESK_ROLES  # who may create tickets: tickets/permissions.create_ticket
MANAGERS = ("manager", "leader", "admin")

LANDING = {
    "agent": "desk:call",
    "manager": "dashboard:home",
    "leader": "dashboard:home",
    "admin": "desk:queue",
    "engineer": "engineer:home",
    "customer": "portal:home",
}


def role_required(*roles: str):
    """Logged in, and one of these roles; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def run_action(request, action, *, success: str | None = None) -> bool:
    """Run a service call for a form post; report refusals as messages. True if it worked."""
    try:
        action()
    except ValidationError as exc:
        for field, errors in getattr(exc, "message_dict", {"": exc.messages}).items():
            for error in errors:
                messages.error(
                    request, f"{field}: {error}" if field not in ("", "__all__") else error
                )
        return False
    except TicketActionError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


@login_required
def home(request):
    """Each role lands on the page of its everyday work."""
    return redirect(LANDING.get(role_of(request.user), "notifications"))


@login_required
def notifications(request):
    queryset = Notification.objects.filter(user=request.user).select_related("ticket")
    page = Paginator(queryset.order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "notifications.html", {"page": page, "role": role_of(request.user)})


@require_POST
@login_required
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    if notification.ticket_id and role_of(request.user) != "customer":
        return redirect("desk:ticket", number=notification.ticket.number)
    return redirect("notifications")


@require_POST
@login_required
def notifications_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications")


FILE_SOURCES = {
    # kind: (model, file field, who may read besides staff who can see the ticket)
    "attachment": ("Attachment", "file", True),
    "check-in": ("CheckIn", "photo", False),
    "work-log": ("WorkLog", "photo", False),
    "sign-off": ("SignOff", "image", True),
}


def stored_file_response(
    stored, *, filename: str, as_attachment: bool = False, content_type: str | None = None
):
    """An uploaded or rendered file as one response.

    Files here are photos, signatures and reports of a few megabytes: read
    whole, the response holds no open file and no half-finished request.
    """
    import mimetypes

    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

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


INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


@login_required
def download(request, kind: str, pk: int):
    """Uploaded files go out only to people who may see their ticket; never from a public URL."""
    from django.apps import apps
    from django.http import Http404

    from accounts.selectors import tickets_visible_to
    from tickets.models import Ticket

    if kind not in FILE_SOURCES:
        raise Http404
    model_name, field, customers_too = FILE_SOURCES[kind]
    record = apps.get_model("tickets", model_name).objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    visible = tickets_visible_to(request.user, Ticket.objects.filter(pk=record.ticket_id))
    if not visible.exists() or (role_of(request.user) == "customer" and not customers_too):
        raise Http404
    stored = getattr(record, field)
    if not stored:
        raise Http404
    name = getattr(record, "name", "") or stored.name.rsplit("/", 1)[-1]
    return stored_file_response(stored, filename=name)
