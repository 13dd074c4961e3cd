"""Escalation alerts posted to WeCom and DingTalk group robots, tried against a local HTTP
receiver that answers as they do: once per step, per branch and tier, signed for DingTalk,
retried while the robot's service fails."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from accounts.models import Branch
from tests.tickets.conftest import shanghai
from tickets.chat import chat_deliver, robot_test, signed_url, webhook_problem
from tickets.escalation import sweep_due_steps
from tickets.models import ChatMessage, ChatRobot
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db

T0 = shanghai(2026, 11, 25, 10, 0)


class Receiver:
    """A robot service on loopback: records each post; answers with the queued replies."""

    def __init__(self):
        self.posts: list[dict] = []
        self.replies: list[tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                receiver.posts.append({"path": self.path, "body": body})
                status, answer = (
                    receiver.replies.pop(0) if receiver.replies else (200, {"errcode": 0})
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def _ticket(world):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="泵站数据不上报",
        channel="phone",
        reported_at=T0,
        now=T0,
    )


def test_each_tier_reaches_its_groups_once_and_only_its_branch(world, receiver):
    wecom = ChatRobot.objects.create(
        name="华东实施组",
        kind="wecom",
        webhook_url=f"{receiver.url}/wecom?key=abc",
        branch=world["site"].branch,
        tiers=["implementation"],
    )
    managers = ChatRobot.objects.create(
        name="管理组",
        kind="wecom",
        webhook_url=f"{receiver.url}/managers",
        tiers=["management"],
    )
    other = Branch.objects.get(code="north")
    ChatRobot.objects.create(
        name="华北",
        kind="wecom",
        webhook_url=f"{receiver.url}/north",
        branch=other,
        tiers=["implementation", "management"],
    )
    ticket = _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=15))  # 50 %: the implementation group
    sweep_due_steps(now=T0 + timedelta(minutes=15))  # swept again: nothing more
    assert chat_deliver() == 1
    assert [p["path"] for p in receiver.posts] == ["/wecom?key=abc"]
    # Plain text: what a customer typed never becomes a link or a mention in the group.
    assert receiver.posts[0]["body"]["msgtype"] == "text"
    content = receiver.posts[0]["body"]["text"]["content"]
    assert ticket.number in content and f"/desk/tickets/{ticket.number}/" in content
    sweep_due_steps(now=T0 + timedelta(minutes=31))  # breach: the management group
    chat_deliver()
    # The breach reaches the management group (the 75 % warning it overtook is not sent).
    assert [p["path"] for p in receiver.posts[1:]] == ["/managers"]
    assert ChatMessage.objects.get(robot=managers).sent_at is not None
    assert not ChatMessage.objects.filter(robot__name="华北").exists()
    assert ChatRobot.objects.get(pk=wecom.pk).last_sent_at is not None


def test_dingtalk_is_signed_as_dingtalk_checks_it(world, receiver):
    secret = "SEC0123456789abcdef"
    ChatRobot.objects.create(
        name="钉钉",
        kind="dingtalk",
        webhook_url=f"{receiver.url}/robot/send?access_token=t",
        secret=secret,
        tiers=["implementation"],
    )
    _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=15))
    chat_deliver()
    post = receiver.posts[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(post["path"]).query)
    assert query["access_token"] == ["t"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected
    assert abs(int(timestamp) / 1000 - timezone.now().timestamp()) < 60
    assert post["body"]["msgtype"] == "text" and post["body"]["text"]["content"]


def test_a_failing_robot_is_retried_then_gets_it(world, receiver):
    robot = ChatRobot.objects.create(
        name="实施组", kind="wecom", webhook_url=f"{receiver.url}/r", tiers=["implementation"]
    )
    receiver.replies = [(500, {}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=15))
    now = timezone.now()
    assert chat_deliver(now=now) == 0
    message = ChatMessage.objects.get()
    assert (message.attempts, message.last_error) == (1, "HTTP 500")
    assert message.due_at == now + timedelta(minutes=1)
    robot.refresh_from_db()
    assert robot.failing
    assert chat_deliver(now=now + timedelta(seconds=30)) == 0  # not due yet
    assert chat_deliver(now=now + timedelta(minutes=1)) == 0  # too many posts: wait
    message.refresh_from_db()
    # A rate limit is the service's, not the message's: no attempt used.
    assert message.attempts == 1 and "45009" in message.last_error
    assert chat_deliver(now=now + timedelta(minutes=4)) == 1
    message.refresh_from_db()
    assert message.sent_at and message.due_at is None
    assert len(receiver.posts) == 3
    robot.refresh_from_db()
    assert not robot.failing


def test_signed_url_keeps_the_token():
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECx", timestamp_ms=1)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1&sign=")


def test_only_the_robots_services_or_a_local_relay_are_accepted():
    assert webhook_problem("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k") == ""
    assert webhook_problem("https://oapi.dingtalk.com/robot/send?access_token=t") == ""
    assert webhook_problem("http://127.0.0.1:9000/relay") == ""
    assert webhook_problem("http://qyapi.weixin.qq.com/cgi-bin/webhook/send") != ""
    assert webhook_problem("https://169.254.169.254/latest/meta-data") != ""
    assert webhook_problem("https://internal.example/hook") != ""


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_managers_see_the_groups_and_a_failing_one_in_red(world, receiver, english, api):
    robot = ChatRobot.objects.create(
        name="实施组", kind="wecom", webhook_url=f"{receiver.url}/r", tiers=["implementation"]
    )
    receiver.replies = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    manager = api(world["manager"])
    answer = manager.post(f"/api/chat-robots/{robot.pk}/test/")
    assert answer.json() == {"sent": False, "error": "errcode 93000: invalid webhook url"}
    english.force_login(world["manager"])
    page = english.get("/dashboard/escalations/").content.decode()
    assert 'data-testid="robot-failing"' in page and "invalid webhook url" in page
    assert english.get("/healthz").json()["chat"]["ok"] is False
    listed = manager.get("/api/chat-robots/").json()["results"][0]
    assert listed["failing"] is True and "webhook_url" not in listed and "secret" not in listed
    assert manager.post(f"/api/chat-robots/{robot.pk}/test/").json() == {"sent": True, "error": ""}
    assert english.get("/healthz").json()["chat"]["ok"] is True
    assert (
        'data-testid="robot-failing"' not in english.get("/dashboard/escalations/").content.decode()
    )


@pytest.mark.parametrize("who", ["agent", "engineer", "customer_user"])
def test_others_never_see_the_robots(world, api, who):
    robot = ChatRobot.objects.create(
        name="x", kind="wecom", webhook_url="http://127.0.0.1:9/x", tiers=["implementation"]
    )
    client = api(world[who])
    assert client.get("/api/chat-robots/").json()["count"] == 0
    assert client.post(f"/api/chat-robots/{robot.pk}/test/").status_code == 404


def test_a_leader_reads_but_does_not_post(world, api):
    robot = ChatRobot.objects.create(
        name="x", kind="wecom", webhook_url="http://127.0.0.1:9/x", tiers=["implementation"]
    )
    assert api(world["leader"]).post(f"/api/chat-robots/{robot.pk}/test/").status_code == 403
    assert not ChatMessage.objects.exists()


def test_the_admin_refuses_a_webhook_elsewhere(admin_client):
    answer = admin_client.post(
        "/admin/tickets/chatrobot/add/",
        {
            "name": "x",
            "kind": "wecom",
            "webhook_url": "https://169.254.169.254/latest",
            "tiers": ["implementation"],
            "active": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 200 and "Use the robot&#x27;s address" in answer.content.decode()
    assert not ChatRobot.objects.exists()
    answer = admin_client.post(
        "/admin/tickets/chatrobot/add/",
        {
            "name": "钉钉管理组",
            "kind": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t",
            "secret": "SECx",
            "tiers": ["management", "leadership"],
            "active": "on",
        },
    )
    assert answer.status_code == 302
    assert ChatRobot.objects.get().tiers == ["management", "leadership"]


def test_odd_answers_paused_robots_and_tests_never_stop_delivery(world, receiver):
    broken = ChatRobot.objects.create(
        name="坏", kind="wecom", webhook_url=f"{receiver.url}/broken", tiers=["implementation"]
    )
    paused = ChatRobot.objects.create(
        name="停", kind="wecom", webhook_url=f"{receiver.url}/paused", tiers=["implementation"]
    )
    good = ChatRobot.objects.create(
        name="好", kind="wecom", webhook_url=f"{receiver.url}/good", tiers=["implementation"]
    )
    _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=15))
    ChatRobot.objects.filter(pk=paused.pk).update(active=False)
    receiver.replies = [(200, ["not", "an", "object"])]
    assert chat_deliver() == 1  # the broken one fails, the good one is posted
    assert [p["path"] for p in receiver.posts] == ["/broken", "/good"]
    failed = ChatMessage.objects.get(robot=broken)
    assert failed.attempts == 1 and "unexpected answer" in failed.last_error
    assert ChatMessage.objects.get(robot=paused).sent_at is None
    # A test that fails is said at once, and never posted later.
    receiver.replies = [(500, {})]
    test = robot_test(good, text="测试")
    assert test.sent_at is None and test.due_at is None and test.last_error == "HTTP 500"


def test_an_address_typed_with_a_chinese_full_stop_is_refused():
    assert webhook_problem("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc。") != ""
