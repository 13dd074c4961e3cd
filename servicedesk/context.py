"""What every page's header needs: the user's role, unread notifications, a stale sweep,
the mail waiting for an agent."""

from accounts.roles import DESK_ROLES, STAFF_ROLES
from accounts.selectors import role_of
from mail_intake.selectors import mails_waiting
from tickets.heartbeats import sweep_stale_since
from tickets.selectors import unread_notification_count


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": None, "unread_count": 0}
    role = role_of(user)
    context = {
        "nav_role": role,
        "unread_count": unread_notification_count(user),
    }
    if role in STAFF_ROLES or user.is_staff:
        # Staff must know when escalations stopped: one primary-key lookup per page.
        stale, last_at = sweep_stale_since()
        context["sweep_stale"] = stale
        context["sweep_last_at"] = last_at
    if role in DESK_ROLES:
        # What waits in the mail triage list: one count on a partial index.
        context["mail_waiting"] = mails_waiting(user).count()
    return context
