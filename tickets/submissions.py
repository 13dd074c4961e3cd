"""Creating requests done once: a form token (pages) or an `Idempotency-Key` header (API).

A double click, a browser's retry or a client's retry after a timeout sends the same
request twice. The first claims its key inside the transaction that creates the object;
the second waits on the unique index until the first commits, then answers what the first
answered. A request that fails rolls its claim back, so a corrected retry is not refused.
"""

import json
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import User
from core.web import REFUSALS, refusal_to_form
from tickets.models import Submission

FORM_TOKEN_FIELD = "form_token"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def form_token_new() -> str:
    """A fresh token for one rendering of a form."""
    return uuid.uuid4().hex


def _claim(*, user: User, key: str, scope: str) -> Submission | None:
    """Claim the key for this request, or the submission that already holds it.

    Call inside a transaction: the claim lasts as long as it does.
    """
    try:
        with transaction.atomic():
            Submission.objects.create(user=user, key=key, scope=scope)
    except IntegrityError:
        return Submission.objects.get(user=user, key=key)
    return None


def _scope(request) -> str:
    return f"{request.method} {request.path}"[:300]


def form_submit_once(request, run: Callable[[], tuple[str, str]]) -> HttpResponse | None:
    """Run a page's creating post once per form token, then redirect.

    `run()` does the work and returns (success message, where to go next); whatever it
    raises rolls the claim back and propagates. Returns the redirect. A post without a
    token (an old page still open) runs as before.
    """
    key = request.POST.get(FORM_TOKEN_FIELD, "").strip()[:MAX_KEY_LENGTH]
    with transaction.atomic():
        previous = _claim(user=request.user, key=key, scope=_scope(request)) if key else None
        if previous is None:
            message, location = run()
            if key:
                Submission.objects.filter(user=request.user, key=key).update(
                    location=location, message=message
                )
    if previous is not None:
        message, location = previous.message, previous.location
    if message:
        messages.success(request, message)
    return HttpResponseRedirect(location)


def api_create_once(request, run: Callable[[], Response]) -> Response:
    """Run an API creating call once per `Idempotency-Key` and user.

    The same key again answers the first response (status and body) with
    `Idempotent-Replayed: true`; the same key on another method or path is refused
    (422). Errors are not kept: a failed call may be retried with the same key.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return run()
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: _("At most %(n)d characters.") % {"n": MAX_KEY_LENGTH}}
        )
    scope = _scope(request)
    with transaction.atomic():
        previous = _claim(user=request.user, key=key, scope=scope)
        if previous is None:
            response = run()
            body = json.loads(JSONRenderer().render(response.data) or b"null")
            Submission.objects.filter(user=request.user, key=key).update(
                status=response.status_code, body=body
            )
            return response
    if previous.scope != scope:
        return Response(
            {"detail": _("This Idempotency-Key was already used for another request.")},
            status=422,
        )
    replay = Response(previous.body, status=previous.status)
    replay["Idempotent-Replayed"] = "true"
    return replay


def form_post_once(request, form, run: Callable[[dict], tuple[str, str]]) -> HttpResponse | None:
    """A page's form post: validated, then `run(cleaned_data)` once per form token, which
    returns (success message, where to go next). None when the form is to be shown again:
    invalid, or refused by the service (the refusal goes onto the form beside its field)."""
    if not form.is_valid():
        return None
    try:
        return form_submit_once(request, lambda: run(form.cleaned_data))
    except REFUSALS as exc:
        refusal_to_form(form, exc)
        return None
