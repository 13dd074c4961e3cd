"""What happens on a ticket besides its state: conversation, site evidence, sign-off, rating."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import Timestamped


class Comment(Timestamped):
    """A reply the customer sees, or an internal note only staff see."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    # Empty for a reply by e-mail from a contact without a login: `from_address` says who.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_address = models.CharField(_("sent by e-mail from"), max_length=254, blank=True)
    body = models.TextField(_("text"))
    internal = models.BooleanField(_("internal note"), default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:50]

    @property
    def author_name(self) -> str:
        if self.author is None:
            return self.from_address
        return self.author.get_full_name() or self.author.username


class CheckIn(Timestamped):
    """Proof that the on-site promise was kept: when, where the browser said, and a photo."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="check_ins",
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("checked in at"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    photo = models.ImageField(_("photo"), upload_to="checkins/%Y/%m/", blank=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.at:%Y-%m-%d %H:%M}"


class WorkLog(Timestamped):
    """An engineer's log entry on site, optionally with a photo from the camera."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="work_logs",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("work done"))
    photo = models.ImageField(_("photo"), upload_to="worklogs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("work log entry")
        verbose_name_plural = _("work log")

    def __str__(self) -> str:
        return self.text[:50]


class SignOff(Timestamped):
    """The customer's signature drawn on the engineer's screen when the work is done."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="sign_off",
    )
    signer_name = models.CharField(_("signed by"), max_length=100)
    image = models.ImageField(_("signature"), upload_to="signatures/%Y/%m/")
    signed_at = models.DateTimeField(_("signed at"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("customer sign-off")
        verbose_name_plural = _("customer sign-offs")

    def __str__(self) -> str:
        return f"{self.signer_name} {self.signed_at:%Y-%m-%d}"


class Rating(Timestamped):
    """The customer's rating of a closed ticket (满意度评价), 1 to 5."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5),
                name="rating_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class RemoteAccessRequest(FSMModelMixin, Timestamped):
    """An engineer's request to connect remotely.

    Only the customer's authorisation allows it (seed 002, 4.5.5; seed 004, 7.3.1.2).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the customer")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="remote_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("what will be done"))
    minutes = models.PositiveIntegerField(_("for how long (minutes)"), default=60)
    status = FSMField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, protected=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    window_start = models.DateTimeField(_("allowed from"), null=True, blank=True)
    window_end = models.DateTimeField(_("allowed until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("remote access request")
        verbose_name_plural = _("remote access requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__isnull=True)
                | models.Q(window_end__gt=models.F("window_start")),
                name="remote_window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.status}"

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self, *, at, by, window_start, window_end) -> None:
        self.decided_at, self.decided_by = at, by
        self.window_start, self.window_end = window_start, window_end

    @transition(field=status, source=Status.PENDING, target=Status.REFUSED)
    def refuse(self, *, at, by) -> None:
        self.decided_at, self.decided_by = at, by
