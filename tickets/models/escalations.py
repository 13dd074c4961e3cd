from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Tier
from core.models import Timestamped
from core.translatable import Message


class EscalationRule(Timestamped):
    """One rung of the ladder: when a clock has used so much of its time, tell a tier.

    The step falls due when the clock's used working time reaches `percent` %
    of its allowance plus `extra_minutes`. Defaults: warn the implementation
    group at 50 % and 75 %, escalate to the management group at 100 %, and to
    the leadership group 2 hours after the breach.
    """

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning: at risk")
        BREACH = "breach", _("Breach")
        ESCALATION = "escalation", _("Further escalation")

    clock_kind = models.CharField(
        _("clock"),
        max_length=20,
        blank=True,
        choices=[
            ("response", _("Response")),
            ("onsite", _("On site")),
            ("resolution", _("Resolution")),
            ("repair", _("Repair or replace")),
            ("substitute", _("Substitute device")),
            ("answer", _("Complaint answer")),
        ],
        help_text=_("Blank: every kind of clock."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    percent = models.PositiveSmallIntegerField(_("percent of the time used"))
    extra_minutes = models.PositiveIntegerField(_("plus minutes"), default=0)
    tier = models.CharField(_("tier notified"), max_length=20, choices=Tier.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["clock_kind", "percent", "extra_minutes"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [
            models.UniqueConstraint(
                fields=["clock_kind", "percent", "extra_minutes"], name="rule_unique_threshold"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__gte=1) & models.Q(percent__lte=1000),
                name="rule_percent_range",
            ),
        ]

    def __str__(self) -> str:
        extra = f" +{self.extra_minutes} min" if self.extra_minutes else ""
        return f"{self.clock_kind or '*'} {self.percent}%{extra} → {self.tier}"

    def threshold_seconds(self, budget_seconds: int) -> int:
        return budget_seconds * self.percent // 100 + self.extra_minutes * 60

    def applies_to(self, clock_kind: str) -> bool:
        return self.is_active and self.clock_kind in ("", clock_kind)


class EscalationStep(Timestamped):
    """A rung reached by one clock: recorded once, notified once, acknowledged by its tier.

    The unique constraint on (clock, rule) makes a repeated step impossible,
    whatever number of workers sweep at once or however often a task is delivered.
    """

    clock = models.ForeignKey(
        "tickets.SlaClock",
        verbose_name=_("clock"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    rule = models.ForeignKey(
        EscalationRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="steps"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="escalations",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EscalationRule.Kind.choices)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    # When the clock's schedule made the step due, and when a sweep recorded it:
    # `lateness` is the difference, the escalation's detection latency.
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"))
    lateness = models.GeneratedField(
        expression=models.F("fired_at") - models.F("due_at"),
        output_field=models.DurationField(),
        db_persist=True,
        verbose_name=_("lateness"),
        help_text=_("How long after it was due the step was recorded."),
    )
    superseded = models.BooleanField(
        _("superseded"),
        default=False,
        help_text=_(
            "Reached together with a later step (e.g. after an outage): recorded, not sent."
        ),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-fired_at", "-pk"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["clock", "rule"], name="step_once_per_clock_rule"),
        ]
        indexes = [
            models.Index(fields=["tier", "acknowledged_at"], name="step_tier_unacknowledged"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.tier}"

    @property
    def lateness_seconds(self) -> float:
        """Seconds from due to recorded; computed here so an unsaved step has it too."""
        return round((self.fired_at - self.due_at).total_seconds(), 3)


class Notification(Timestamped):
    """An in-app message, also sent by e-mail; one per person and escalation step or key.

    A customer's contact without a login is told by e-mail alone: a row with their
    `address` and no user, one per address and key.

    Written by tickets.notify alone. `message` keeps the text untranslated, so
    each reader sees it in their own language (`display_title`, `display_body`);
    `title` and `body` hold it as written in the site's language, which is all
    that notifications written before `message` existed have.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    address = models.EmailField(
        _("e-mail address"),
        blank=True,
        default="",
        # Rows written by plain SQL (bulk loads, the benchmarks) have none.
        db_default="",
        help_text=_("For someone without a login: told by e-mail only."),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    step = models.ForeignKey(
        EscalationStep,
        verbose_name=_("escalation step"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    key = models.CharField(
        _("key"),
        max_length=100,
        blank=True,
        help_text=_("For a message not tied to an escalation step: sent once per person and key."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    message = models.JSONField(
        _("untranslated message"),
        default=dict,
        blank=True,
        help_text=_("The title and body as msgids with their parameters."),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # tickets.selectors.notification_withdrawn_q as of the ticket's last step, kept by
    # tickets.notify.notifications_withdrawn_refresh: the badge counts by it with an index.
    withdrawn = models.BooleanField(
        _("withdrawn"),
        default=False,
        # Rows written by plain SQL (bulk loads, the benchmarks) start as not withdrawn too.
        db_default=False,
        help_text=_("A warning whose clock has stopped or whose ticket is finished."),
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    email_failures = models.PositiveSmallIntegerField(_("failed email attempts"), default=0)
    email_due_at = models.DateTimeField(
        _("e-mail due at"),
        null=True,
        blank=True,
        help_text=_("When the e-mail is to be sent or tried again; empty once sent or given up."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "step"],
                condition=models.Q(step__isnull=False),
                name="notification_once_per_user_step",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_user_key",
            ),
            models.UniqueConstraint(
                fields=["address", "key"],
                condition=models.Q(user__isnull=True) & ~models.Q(key=""),
                name="notification_once_per_address_key",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(address=""),
                name="notification_has_a_reader",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            # The header's badge on every page: unread and still mattering, per person.
            models.Index(
                fields=["user"],
                name="notification_user_badge",
                condition=models.Q(read_at__isnull=True, withdrawn=False),
            ),
            models.Index(
                fields=["email_due_at"],
                name="notification_email_due",
                condition=models.Q(email_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the active language."""
        return Message.from_json(self.message).title_text() if self.message else self.title

    @property
    def display_body(self) -> str:
        """The body in the active language."""
        return Message.from_json(self.message).body_text() if self.message else self.body
