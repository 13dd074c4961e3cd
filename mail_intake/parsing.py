"""Reading a raw mail: who sent it, what it says, its files, and whether a person wrote it.

Pure functions of the bytes, so the rules are tested without a server.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

# Our ticket numbers (tickets.services.creation._next_number): year, dash, six digits.
TICKET_NUMBER = re.compile(r"(?<![\d-])(\d{4}-\d{6})(?![\d-])")
# The tag outgoing mail puts in its subject, which replies keep: [#2026-000123].
SUBJECT_TAG = re.compile(r"\[#(\d{4}-\d{6})\]")
# Outgoing Message-IDs name the ticket: <ticket.2026-000123.n42.abcdef@host>.
MESSAGE_ID_TICKET = re.compile(r"<ticket\.(\d{4}-\d{6})\.")

# Senders that are mail systems, not people.
_SYSTEM_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|no-?reply|bounces?)(\+.*)?@")
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
# Chinese mail often says gb2312 and means its superset; gb18030 reads both.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}

MAX_BODY_CHARS = 100_000
# A mail of thousands of tiny parts is an attack, not a fault report.
MAX_PARTS = 200
# Outgoing mail names its ticket in this header (tickets/mail.py); a mail that has it is
# our own coming back: a loop.
OUR_HEADER = "X-Servicedesk-Ticket"


@dataclass
class Attachment:
    name: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    from_address: str
    from_name: str
    subject: str
    body: str
    message_id: str
    sent_at: datetime | None
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str = ""  # why it is an automatic reply, if it is
    bounce: str = ""  # why it is a delivery report, if it is
    ours: bool = False  # sent by the service desk

    @property
    def ticket_number(self) -> str:
        """The ticket a reply is about: the subject's tag, a number in the subject, or the
        ticket named by the Message-ID it answers."""
        tagged = SUBJECT_TAG.search(self.subject)
        if tagged:
            return tagged.group(1)
        for reference in self.references:
            named = MESSAGE_ID_TICKET.search(reference)
            if named:
                return named.group(1)
        bare = TICKET_NUMBER.search(self.subject)
        return bare.group(1) if bare else ""


def mail_parse(raw: bytes, *, whole: bool = True) -> ParsedMail:
    """The mail's parts; of a mail read only in part (too large), its header and text."""
    try:
        return _parse(raw, whole=whole)
    except Exception:  # a mail broken beyond what the parser forgives: kept for a person
        text = raw.decode("utf-8", errors="replace").replace("\x00", "")
        return ParsedMail("", "", "", text[:MAX_BODY_CHARS], "", None)


def _parse(raw: bytes, *, whole: bool) -> ParsedMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    name, address = _sender(message)
    subject = _header(message, "Subject")
    sent_at = None
    try:
        if _header(message, "Date"):
            sent_at = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        sent_at = None
    references = (_header(message, "In-Reply-To") + " " + _header(message, "References")).split()
    parsed = ParsedMail(
        from_address=address,
        from_name=name[:200],
        subject=" ".join(subject.split())[:300],
        body=_body(message)[:MAX_BODY_CHARS],
        message_id=_header(message, "Message-ID").strip()[:300],
        sent_at=sent_at,
        references=references,
        attachments=list(_attachments(message)) if whole else [],
        ours=bool(_header(message, OUR_HEADER)),
    )
    parsed.automatic = _automatic(message, address)
    parsed.bounce = _bounce(message, address)
    return parsed


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message[name]
    except (IndexError, ValueError, TypeError):  # a header the parser cannot make sense of
        return ""
    return str(value or "").replace("\x00", "")


def _sender(message: EmailMessage) -> tuple[str, str]:
    """(name, address) of the sender, the address lower-cased; Reply-To is not trusted
    for who someone is."""
    raw = _header(message, "From")
    found = [(n, a) for n, a in getaddresses([raw]) if "@" in a]
    if not found:
        return "", ""
    name, address = found[0]
    return name.strip(), address.strip().lower()[:254]


def _decoded(part) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\x00", "")


class _TextOfHtml(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body(message: EmailMessage) -> str:
    """The mail's text: its plain part, else its HTML part as text."""
    plain = html = None
    for index, part in enumerate(message.walk()):
        if index > MAX_PARTS:
            break
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decoded(part)
        elif kind == "text/html" and html is None:
            html = _decoded(part)
    if plain and plain.strip():
        return plain.strip()
    # Bounded before parsing: the text kept is bounded anyway, the parser's work is not.
    return html_to_text(html[: 4 * MAX_BODY_CHARS]) if html else ""


def _file_name(name: str, index: int) -> str:
    """A name storage accepts: no path, no NUL, nothing empty like ".." or "!!!"."""
    cleaned = name.replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    try:
        cleaned = get_valid_filename(cleaned)
    except SuspiciousFileOperation:
        cleaned = ""
    return cleaned if cleaned.strip("._-") else f"part-{index}"


def _attachments(message: EmailMessage):
    for index, part in enumerate(message.walk()):
        if index > MAX_PARTS:
            return
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename()
        kind = part.get_content_type()
        # Files: what is marked as one, or named, or not text (a fax's TIFF or PDF inline).
        if disposition != "attachment" and not name and kind.startswith("text/"):
            continue
        if kind in ("message/delivery-status", "message/rfc822") and not name:
            continue
        content = part.get_payload(decode=True)
        if not content:
            continue
        yield Attachment(name=_file_name(name or "", index), content_type=kind, content=content)


def _automatic(message: EmailMessage, address: str) -> str:
    """Why a mail is written by a machine (out-of-office, auto-responder), or ""."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted[:40]}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if _header(message, name):
            return name
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if _SYSTEM_SENDERS.match(address):
        return f"From: {address}"
    return ""


def _bounce(message: EmailMessage, address: str) -> str:
    """Why a mail is a delivery report (a bounce), or ""."""
    if message.get_content_type() == "multipart/report":
        return "multipart/report"
    if address.startswith(("mailer-daemon@", "postmaster@")):
        return f"From: {address}"
    if _header(message, "Return-Path").strip() == "<>" and not address:
        return "Return-Path: <>"
    return ""


# Where a reply's own words end and the mail it answers begins.
_QUOTE_STARTS = re.compile(
    r"^\s*("
    r"-{2,}\s*(original message|原始邮件|回复的原邮件|forwarded message|转发的邮件)\s*-{2,}"
    r"|on .{4,200} wrote:\s*$"
    r"|在 ?.{4,200}写道[:：]\s*$"
    r"|(from|发件人)\s*[:：].+$"
    r")",
    re.IGNORECASE,
)


def reply_text(body: str) -> str:
    """The words of a reply without the quoted mail below them (or the whole text, when
    nothing is left: a reply that only forwards)."""
    kept = []
    for line in body.splitlines():
        if _QUOTE_STARTS.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    text = "\n".join(kept).strip()
    return text or body.strip()
