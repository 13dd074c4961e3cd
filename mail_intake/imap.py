"""Talking IMAP to a mailbox (RFC 3501, Python's imaplib): the new mails since the last
UID read, each fetched without marking it read, then flagged \\Seen once kept."""

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from mail_intake.models import Mailbox

TIMEOUT_SECONDS = 30
# Per poll: a mailbox with a large backlog is read over several polls.
BATCH = 50
PARTIAL_BYTES = 256 * 1024

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxError(Exception):
    """The server could not be reached, refused the login or the folder."""


@dataclass
class Fetched:
    uid: int
    size: int
    received_at: datetime
    raw: bytes  # the whole mail, or its beginning when it is too large
    whole: bool


@contextmanager
def mailbox_session(mailbox: Mailbox) -> Iterator["Session"]:
    client = None
    try:
        if mailbox.security == Mailbox.Security.SSL:
            client = imaplib.IMAP4_SSL(
                mailbox.host,
                mailbox.port,
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT_SECONDS,
            )
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
            if mailbox.security == Mailbox.Security.STARTTLS:
                client.starttls(ssl_context=ssl.create_default_context())
        client.login(mailbox.username, mailbox.password)
        status, _data = client.select(_quoted(mailbox.folder))
        if status != "OK":
            raise MailboxError(f"folder {mailbox.folder!r} cannot be opened")
    except (OSError, imaplib.IMAP4.error, ssl.SSLError, UnicodeError, MailboxError) as exc:
        if client is not None:
            _close(client)
        if isinstance(exc, MailboxError):
            raise
        raise MailboxError(_describe(exc)) from exc
    try:
        yield Session(client)
    except (OSError, imaplib.IMAP4.error) as exc:  # the connection broke while reading
        raise MailboxError(_describe(exc)) from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            _close(client)


def _close(client: imaplib.IMAP4) -> None:
    with suppress(OSError):
        client.shutdown()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(exc: Exception) -> str:
    # The class and the server's words; never the password, which imaplib does not echo.
    text = str(exc)
    if isinstance(exc, imaplib.IMAP4.error) and text.startswith("b'"):
        text = text[2:-1]
    return f"{type(exc).__name__}: {text}"[:300]


class Session:
    def __init__(self, client: imaplib.IMAP4):
        self.client = client

    @property
    def uidvalidity(self) -> int:
        _status, data = self.client.response("UIDVALIDITY")
        return int(data[0]) if data and data[0] else 0

    def new_uids(self, after: int) -> list[int]:
        """UIDs above `after`, oldest first (`n:*` also answers the last mail when none is
        newer, so the list is filtered)."""
        status, data = self.client.uid("SEARCH", None, f"UID {after + 1}:*")
        if status != "OK":
            raise MailboxError("SEARCH refused")
        uids = sorted(int(u) for u in (data[0] or b"").split())
        return [u for u in uids if u > after][:BATCH]

    def fetch(self, uid: int, *, max_bytes: int, not_before=None) -> Fetched | None:
        """The mail (BODY.PEEK leaves it unread); of a mail above max_bytes, its beginning:
        the header and, usually, the text. A mail received before `not_before` comes back
        without its content (`raw` empty): it is not for the desk to read."""
        status, data = self.client.uid("FETCH", str(uid), "(RFC822.SIZE INTERNALDATE)")
        # This mail's line: another session's flag change can arrive as a FETCH line too.
        this = re.compile(rb"UID %d\b" % uid)
        meta = next(
            (d for d in data if isinstance(d, bytes) and this.search(d) and _SIZE.search(d)),
            None,
        )
        if status != "OK" or meta is None:
            return None  # expunged meanwhile
        size = int(_SIZE.search(meta).group(1))
        received_at = _internaldate(meta)
        if not_before is not None and received_at is not None and received_at < not_before:
            return Fetched(uid=uid, size=size, received_at=received_at, raw=b"", whole=False)
        whole = size <= max_bytes
        part = "BODY.PEEK[]" if whole else f"BODY.PEEK[]<0.{PARTIAL_BYTES}>"
        status, data = self.client.uid("FETCH", str(uid), f"({part})")
        raw = next((d[1] for d in data if isinstance(d, tuple)), None)
        if status != "OK" or raw is None:
            return None
        return Fetched(uid=uid, size=size, received_at=received_at, raw=raw, whole=whole)

    def mark_seen(self, uid: int) -> None:
        self.client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")


def _internaldate(meta: bytes) -> datetime | None:
    """When the server received the mail: " 1-Dec-2026 09:05:00 +0800", with its offset."""
    found = _INTERNALDATE.search(meta)
    if not found:
        return None
    try:
        return datetime.strptime(found.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None
