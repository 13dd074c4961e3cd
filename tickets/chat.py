"""The chat-group channel of notifications: escalation alerts posted to WeCom and DingTalk
group robots, each once, retried with backoff while the robot's service fails.

`chat_enqueue` is called by the one notification service (tickets.notify) for the notices
of escalation steps: each robot of the ticket's branch (or of every branch) that hears the
step's tier gets one ChatMessage, keyed by the step, so a step re-sent or swept twice is
posted once. `chat_deliver` sends the due ones, claimed like e-mails (tickets/mail.py):
`FOR UPDATE SKIP LOCKED` and a lease, so two deliverers never post the same message and
one that dies leaves it to be posted later.

A group is many people: its message is written in the site's language.
"""

import base64
import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.links import absolute_links
from core.queue import task_send_on_commit
from tickets.mail import retry_delay
from tickets.models import ChatMessage, ChatRobot

logger = logging.getLogger(__name__)

DELIVER_TASK = "tickets.tasks.deliver_chat"
BATCH = 20
# Longer than a batch can take (20 posts of at most 10 s each to connect and 10 to read).
LEASE = timedelta(minutes=10)
MAX_TEXT_BYTES = 2000
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8
TITLE_LENGTH = ChatMessage._meta.get_field("title").max_length


def robots_listed() -> list[ChatRobot]:
    """The robots with their state, for the escalations page, the API and the health check."""
    return list(ChatRobot.objects.select_related("branch").order_by("-active", "name", "pk"))


def hears(robot: ChatRobot, *, branch_id: int | None, tier: str) -> bool:
    """Whether a robot's group hears a step of this tier on this branch's ticket."""
    return (
        robot.active
        and (robot.branch_id is None or robot.branch_id == branch_id)
        and tier in robot.tiers
    )


def chat_enqueue(notices: Iterable) -> int:
    """One message per escalation notice and robot that hears it; returns how many.
    One query for the robots, whatever the number of notices (a sweep's batch)."""
    steps = [n for n in notices if n.step is not None and n.ticket is not None]
    if not steps:
        return 0
    robots = list(ChatRobot.objects.filter(active=True))
    rows = []
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        for notice in steps:
            step, ticket = notice.step, notice.ticket
            for robot in robots:
                if not hears(robot, branch_id=ticket.branch_id, tier=step.tier):
                    continue
                title = notice.message.title_text()
                rows.append(
                    ChatMessage(
                        robot=robot,
                        key=f"step:{step.pk}",
                        ticket=ticket,
                        title=title[:TITLE_LENGTH],
                        text=absolute_links(
                            f"{notice.message.body_text()}\n/desk/tickets/{ticket.number}/"
                        ),
                        due_at=now,
                    )
                )
    if rows:
        ChatMessage.objects.bulk_create(rows, ignore_conflicts=True)
        task_send_on_commit(DELIVER_TASK)
    return len(rows)


def robot_test(robot: ChatRobot, *, text: str) -> ChatMessage:
    """A message to check a robot works, posted now and once: never queued, never retried
    (a test seen hours later in the group would mislead); the admin's "send a test
    message" and `POST /api/chat-robots/<id>/test/`."""
    now = timezone.now()
    message = ChatMessage.objects.create(
        robot=robot, key=f"test:{now.timestamp()}", title=text[:TITLE_LENGTH], text=text
    )
    try:
        _post(robot, message)
    except ChatError as exc:
        _failed(robot, message, exc, now=now, due=None, attempts=1, lease=None)
    else:
        _posted(robot, message, now=now, lease=None)
    message.refresh_from_db()
    return message


_CLAIM_SQL = """WITH picked AS MATERIALIZED (
    SELECT m.id FROM {table} AS m JOIN {robots} AS r ON r.id = m.robot_id
    WHERE m.due_at <= %(now)s AND r.active
    ORDER BY m.due_at, m.id
    LIMIT %(limit)s
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE {table} AS m SET due_at = %(lease)s
FROM picked WHERE m.id = picked.id
RETURNING m.id
"""


def chat_deliver(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Post one batch of the due messages of active robots; returns how many were posted.

    Its own task (tickets.tasks.deliver_chat), never inside the SLA sweep: a slow chat
    service must not hold up escalations. A robot that fails is not tried again in the
    batch: its other messages wait for their next turn without using an attempt."""
    now = now or timezone.now()
    lease = now + LEASE
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL.format(
                table=quote(ChatMessage._meta.db_table), robots=quote(ChatRobot._meta.db_table)
            ),
            {"now": now, "lease": lease, "limit": limit},
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return 0
    posted = 0
    failing: set[int] = set()
    for message in ChatMessage.objects.filter(pk__in=ids).select_related("robot").order_by("pk"):
        robot = message.robot
        if robot.pk in failing:
            _later(message, due=now + retry_delay(1), lease=lease)
            continue
        try:
            _post(robot, message)
        except ChatError as exc:
            failing.add(robot.pk)
            if exc.busy:  # the service's rate limit: not this message's fault
                _later(message, due=now + retry_delay(1), lease=lease, error=str(exc))
                continue
            attempts = message.attempts + 1
            due = now + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
            _failed(robot, message, exc, now=now, due=due, attempts=attempts, lease=lease)
        except Exception as exc:  # a bug: logged, counted as a failed attempt, never a stop
            logger.exception("chat robot %s: message %s", robot.pk, message.pk)
            failing.add(robot.pk)
            attempts = message.attempts + 1
            due = now + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
            error = ChatError(type(exc).__name__)
            _failed(robot, message, error, now=now, due=due, attempts=attempts, lease=lease)
        else:
            posted += _posted(robot, message, now=now, lease=lease)
    return posted


def _mine(message: ChatMessage, lease: datetime | None):
    """The message's row while this run still holds its claim (a claim that lapsed belongs
    to the run that took it since)."""
    rows = ChatMessage.objects.filter(pk=message.pk)
    return rows.filter(due_at=lease) if lease is not None else rows


def _later(message: ChatMessage, *, due: datetime, lease: datetime, error: str = "") -> None:
    fields = {"due_at": due, "updated_at": timezone.now()}
    if error:
        fields["last_error"] = error[:300]
    _mine(message, lease).update(**fields)


def _failed(robot, message, exc, *, now, due, attempts: int, lease) -> None:
    _mine(message, lease).update(
        attempts=attempts, due_at=due, last_error=str(exc)[:300], updated_at=now
    )
    ChatRobot.objects.filter(pk=robot.pk).update(
        last_error=str(exc)[:300], last_error_at=timezone.now()
    )
    logger.warning("chat robot %s: message %s failed: %s", robot.pk, message.pk, exc)


def _posted(robot, message, *, now, lease) -> int:
    done = _mine(message, lease).update(
        attempts=message.attempts + 1, due_at=None, sent_at=now, last_error="", updated_at=now
    )
    ChatRobot.objects.filter(pk=robot.pk).update(last_sent_at=timezone.now())
    return done


# The services' answers when a robot posts too often (about 20 a minute): wait, then again.
RATE_LIMITED = {45009, 130101, 660026}


class ChatError(Exception):
    """The robot's service refused or could not be reached."""

    def __init__(self, text: str, *, busy: bool = False):
        super().__init__(text)
        self.busy = busy


def signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk's signed webhook: timestamp and HMAC-SHA256 of "timestamp\\nsecret"."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def payload(robot: ChatRobot, message: ChatMessage) -> dict:
    """Plain text, never markdown: the text holds what customers wrote (a ticket's summary),
    which must not become links, images or mentions in the group. Cut to what the services
    take (WeCom: 2048 bytes of text)."""
    text = f"{message.title}\n\n{message.text}" if message.text != message.title else message.title
    encoded = text.encode()
    if len(encoded) > MAX_TEXT_BYTES:
        text = encoded[: MAX_TEXT_BYTES - 3].decode(errors="ignore") + "…"
    return {"msgtype": "text", "text": {"content": text}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a webhook that redirects is refused, never followed elsewhere


# No proxies from the environment, no redirects: the post goes where the admin said.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _post(robot: ChatRobot, message: ChatMessage) -> None:
    problem = webhook_problem(robot.webhook_url)
    if problem:
        raise ChatError(problem)
    url = robot.webhook_url
    if robot.kind == ChatRobot.Kind.DINGTALK and robot.secret:
        url = signed_url(url, robot.secret)
    body = json.dumps(payload(robot, message), ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChatError(f"HTTP {exc.code}", busy=exc.code == 429) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        raise ChatError(f"unreachable ({type(exc).__name__})") from exc
    try:
        result = json.loads(answer or b"{}")
    except ValueError as exc:
        raise ChatError("the answer is not JSON") from exc
    # Both services answer 200 with {"errcode": 0, "errmsg": "ok"}, or an errcode on refusal.
    if not isinstance(result, dict):
        raise ChatError(f"unexpected answer: {str(result)[:100]}")
    code = result.get("errcode", 0)
    if code != 0:
        raise ChatError(
            f"errcode {code}: {str(result.get('errmsg', ''))[:200]}", busy=code in RATE_LIMITED
        )


# The robots' own services; an address on this machine is a relay (and the tests' receiver).
ROBOT_HOSTS = {"qyapi.weixin.qq.com", "oapi.dingtalk.com"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def webhook_problem(url: str) -> str:
    """Why a webhook address is refused, or "": the robots' services over https, or a relay
    on this machine; plain ASCII (a full stop typed with a Chinese input method is not)."""
    if not url.isascii():
        return _("The address has characters that are not allowed in it.")
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in LOOPBACK and parts.scheme == "http":
        return ""
    if parts.scheme != "https" or host not in ROBOT_HOSTS:
        return _("Use the robot's address from WeCom or DingTalk (https://%(hosts)s/…).") % {
            "hosts": " or ".join(sorted(ROBOT_HOSTS))
        }
    return ""
