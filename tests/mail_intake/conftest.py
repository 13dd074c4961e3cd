"""Mail intake against the real IMAP server bin/test starts (dovecot on loopback): each
test reads its own mailbox, a user name nobody else uses."""

import imaplib
import os
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from mail_intake.models import Mailbox
from tests.tickets import conftest as tickets_conftest

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api

IMAP_PORT = int(os.environ.get("IMAP_PORT", "14329"))
IMAP_PASSWORD = os.environ.get("IMAP_PASSWORD", "test-imap-password")


class Inbox:
    """A mailbox on the test server, and a way to make mail arrive in it."""

    def __init__(self, user: str):
        self.user = user

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", IMAP_PORT, timeout=10)
        client.login(self.user, IMAP_PASSWORD)
        return client

    def deliver(self, message: "EmailMessage | bytes", *, at: datetime | None = None) -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        client = self._client()
        try:
            when = imaplib.Time2Internaldate(at.timestamp()) if at else None
            status, data = client.append("INBOX", None, when, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def seen(self) -> int:
        client = self._client()
        try:
            client.select("INBOX")
            _status, data = client.search(None, "SEEN")
            return len((data[0] or b"").split())
        finally:
            client.logout()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox(f"desk-{uuid.uuid4().hex[:10]}@example.test")


@pytest.fixture
def mailbox(db, inbox) -> Mailbox:
    return Mailbox.objects.create(
        name="Hotline",
        address="hotline@desk.example",
        host="127.0.0.1",
        port=IMAP_PORT,
        security=Mailbox.Security.NONE,
        username=inbox.user,
        password=IMAP_PASSWORD,
    )


def mail(
    *,
    sender: str = "customer@example.com",
    subject: str = "调度中心服务器无法启动",
    body: str = "今天早上九点服务器无法启动，请尽快派人处理。",
    headers: dict | None = None,
    files: list[tuple[str, str, bytes]] = (),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "hotline@desk.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, kind, content in files:
        maintype, subtype = kind.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message
