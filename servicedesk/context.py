"""What every page's header needs: the user's role and unread notifications."""

from accounts.selectors import role_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": None, "unread_count": 0}
    return {
        "nav_role": role_of(user),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }
