"""Planned downtime (seed 000, 1.5.5):
"确保停机之前能够及时通知最终用户，以免产生不必要的误会和损失".
A window of planned work on a site or some of its covered items, told to the customer's
people when planned, again before it starts, and again on every change."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class DowntimeWindow(Timestamped):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "contracts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="downtime_windows",
    )
    site = models.ForeignKey(
        "contracts.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="downtime_windows",
    )
    items = models.ManyToManyField(
        "contracts.CoveredItem",
        verbose_name=_("covered items"),
        blank=True,
        related_name="downtime_windows",
        help_text=_("None chosen: the whole site stops."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=300)
    work = models.TextField(_("work planned"), blank=True)
    notice_hours = models.PositiveIntegerField(
        _("remind this many hours before"),
        default=24,
        help_text=_(
            "The customer's people are told when it is planned and again this long before."
        ),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    # Each change makes a new version: its notices are sent once per person and version.
    version = models.PositiveIntegerField(_("version"), default=1)
    reminded_version = models.PositiveIntegerField(
        _("reminder sent for version"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("planned downtime")
        verbose_name_plural = _("planned downtimes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="downtime_ends_after_it_starts"
            )
        ]
        indexes = [
            models.Index(
                fields=["starts_at"],
                name="downtime_reminder_due",
                condition=Q(state="planned"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class InstalledVersion(Timestamped):
    """What version of its software a covered item ran from when: its latest row is the
    version it runs now."""

    item = models.ForeignKey(
        "contracts.CoveredItem",
        verbose_name=_("covered item"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    version = models.CharField(_("version"), max_length=100)
    installed_at = models.DateTimeField(_("installed at"))
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("installed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    upgrade = models.ForeignKey(
        "maintenance.Upgrade",
        verbose_name=_("upgrade"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-installed_at", "-pk"]
        verbose_name = _("installed version")
        verbose_name_plural = _("installed versions")
        indexes = [models.Index(fields=["item", "-installed_at"], name="version_latest")]

    def __str__(self) -> str:
        return f"{self.item} {self.version}"


class Upgrade(Timestamped):
    """An upgrade as planned work (seed 000, 1.5.6; seed 004, 7.3.1.5): its plan, the seven
    steps checked off by the engineer, and the way back when the new system misbehaves."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        ROLLED_BACK = "rolled_back", _("Rolled back")

    item = models.ForeignKey(
        "contracts.CoveredItem",
        verbose_name=_("covered item"),
        on_delete=models.PROTECT,
        related_name="upgrades",
    )
    from_version = models.CharField(_("from version"), max_length=100, blank=True)
    to_version = models.CharField(_("to version"), max_length=100)
    plan = models.TextField(_("upgrade plan"))
    window = models.ForeignKey(
        DowntimeWindow,
        verbose_name=_("planned downtime"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upgrades",
        help_text=_("When the upgrade stops the system: the customer is told through it."),
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("upgrade")
        verbose_name_plural = _("upgrades")

    def __str__(self) -> str:
        return f"{self.item} → {self.to_version}"


class UpgradeStep(Timestamped):
    """One of the seven steps of an attempt, checked off with the engineer's note."""

    class Step(models.TextChoices):
        PLAN = "plan", _("Propose the upgrade plan")
        BACKUP = "backup", _("Back up the current system")
        STOP = "stop", _("Stop the current system")
        INSTALL = "install", _("Install and configure the new system")
        START = "start", _("Start the new system")
        OBSERVE = "observe", _("Observe the new system running")
        RESTORE = "restore", _("Restore the previous system")

    upgrade = models.ForeignKey(
        Upgrade, verbose_name=_("upgrade"), on_delete=models.CASCADE, related_name="steps"
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    done_at = models.DateTimeField(_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["upgrade", "attempt", "done_at", "pk"]
        verbose_name = _("upgrade step")
        verbose_name_plural = _("upgrade steps")
        constraints = [
            models.UniqueConstraint(
                fields=["upgrade", "attempt", "step"], name="upgrade_step_once_per_attempt"
            )
        ]


class SoftwareNotice(Timestamped):
    """A bug or upgrade notice about important software, published to the customers whose
    items run it (seed 004, 7.1.4: 对重要软件如操作系统、数据库、中间件等 bug 与升级进行通告)."""

    class Kind(models.TextChoices):
        BUG = "bug", _("Bug notice")
        UPGRADE = "upgrade", _("Upgrade notice")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    product = models.CharField(
        _("software"), max_length=200, help_text=_("As the covered items are named.")
    )
    versions = models.CharField(
        _("affected versions"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; blank: every version."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what it is and what to do"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    customers = models.ManyToManyField(
        "contracts.Customer",
        verbose_name=_("customers told"),
        blank=True,
        related_name="software_notices",
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("software notice")
        verbose_name_plural = _("software notices")

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(models.Model):
    """A customer's contact opened the notice: the read receipt."""

    notice = models.ForeignKey(
        SoftwareNotice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="receipts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.user_id}"
