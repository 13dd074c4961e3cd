"""Login throttling on every door (login page, admin login, API token) with django-axes.

Axes counts failures per username and per address in one number against one
limit; the issue asks for 5 per username and 20 per address. The handler below
scales the address count so one limit serves both: an address reaches the
username limit exactly when it reaches LOGIN_IP_FAILURE_LIMIT failures.

A locked-out client gets `lockout_response`: a page with when to retry, or
429 JSON with Retry-After under /api/. Administrators unlock in the admin
(Axes › Access attempts, delete the row) or with `manage.py axes_reset_username NAME`
/ `manage.py axes_reset_ip ADDRESS`.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def client_address(request) -> str | None:
    """The client's address for lockouts and throttles.

    Behind TRUSTED_PROXY_COUNT proxies, the address the nearest of them saw connect, read
    from X-Forwarded-For as DRF's throttles read it (NUM_PROXIES); otherwise REMOTE_ADDR.
    Without this, every login behind a proxy shares the proxy's address and 20 failures
    from anyone lock everyone out. A client can prepend to X-Forwarded-For but cannot
    change what the trusted proxies appended.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(count, len(hops))] if hops else remote


class LoginAttemptHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        threshold = get_cool_off_threshold(request)
        score = 0
        for filter_kwargs in get_client_parameters(
            username, request.axes_ip_address, request.axes_user_agent, request, credentials
        ):
            failures = (
                AccessAttempt.objects.filter(
                    **filter_kwargs, attempt_time__gte=threshold
                ).aggregate(total=Sum("failures_since_start"))["total"]
                or 0
            )
            if set(filter_kwargs) == {"ip_address"}:
                failures = failures * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT
            score = max(score, failures)
        return score


def retry_after_seconds() -> int:
    """Every refused attempt restarts the cool-off, so it ends one cool-off from now at most."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    return _(
        "Too many failed logins. This account or address is locked; try again after "
        "%(time)s (in %(minutes)d minutes), or ask an administrator to unlock it."
    ) % {
        "time": retry_at.strftime("%H:%M"),
        "minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }


def lockout_api_response() -> JsonResponse:
    response = JsonResponse({"detail": lockout_message()}, status=429)
    response["Retry-After"] = str(retry_after_seconds())
    return response


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return lockout_api_response()
    response = render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message()},
        status=429,
    )
    response["Retry-After"] = str(retry_after_seconds())
    return response
