"""E-mail intake (seed 002: requests "以传真和电子邮件的形式报告给支持工程师"): the mailboxes
the desk reads, and each mail read from them, kept once with what became of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped
from core.translatable import Message


class Mailbox(Timestamped):
    """An IMAP mailbox the desk reads; a branch's own, or the whole desk's."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (loopback only)")

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(
        _("address"), help_text=_("The address customers write to; mail from it is a loop.")
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
        help_text=_("Empty: the mailbox of the whole desk."),
    )
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=200)
    password = models.CharField(_("password"), max_length=200)
    folder = models.CharField(_("folder"), max_length=100, default="INBOX")
    active = models.BooleanField(_("active"), default=True)
    # Where reading stopped: the server's UIDVALIDITY and the highest UID read under it.
    uidvalidity = models.BigIntegerField(default=0, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def failing(self) -> bool:
        """The last attempt to read it failed (and none succeeded since)."""
        return bool(self.last_error_at) and (
            self.last_polled_at is None or self.last_error_at >= self.last_polled_at
        )


class InboundMail(Timestamped):
    """One mail read from a mailbox, kept once: two readers of the same mailbox
    never both act on it (the unique constraints)."""

    class Outcome(models.TextChoices):
        TICKET = "ticket", _("New ticket")
        COMMENT = "comment", _("Reply on a ticket")
        TRIAGE = "triage", _("Waiting for an agent")
        AUTOMATIC = "automatic", _("Ignored: automatic reply")
        BOUNCE = "bounce", _("Ignored: bounce")
        LOOP = "loop", _("Ignored: mail loop")
        DISMISSED = "dismissed", _("Dismissed by an agent")

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="mails"
    )
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    from_address = models.CharField(_("sender"), max_length=254, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    raw = models.FileField(_("original mail"), upload_to="mail/%Y/%m/", blank=True)
    attachment_count = models.PositiveSmallIntegerField(_("attachments"), default=0)
    # False: larger than the limit, only its beginning (header and text) was read.
    complete = models.BooleanField(default=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # Why it became what it did: `reason_message` kept untranslated (core.translatable) and
    # shown in the reader's language; `reason` written out in the site's, for the admin.
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_message = models.JSONField(default=dict, blank=True, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mails")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="mail_once_per_uid"
            ),
            # The same mail copied into two folders or mailboxes still acts once.
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="mail_once_per_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"], condition=Q(outcome="triage"), name="mail_triage_idx"
            ),
            models.Index(fields=["from_address", "received_at"], name="mail_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"

    @property
    def display_reason(self) -> str:
        if self.reason_message:
            return Message.from_json(self.reason_message).title_text()
        return self.reason
