from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.roles import SUPERUSER, Role, Tier
from core.models import Timestamped
from core.phones import normalize_phone


class Branch(Timestamped):
    """A service centre (分支机构) serving the customers of a region."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    region = models.CharField(_("region"), max_length=100, help_text=_("Province or area served."))
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Anyone who logs in: staff of the vendor and customer contacts.

    The role is the user's group; the tier decides which escalations reach them.
    """

    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The language the person last chose on the site (accounts/language.py): e-mails are
    # written in it. Empty: the site's language.
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    phone_normalized = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    tier = models.CharField(
        _("service tier"),
        max_length=20,
        choices=Tier.choices,
        blank=True,
        help_text=_("Which group of the service organisation escalations reach this person in."),
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def save(self, *args, **kwargs) -> None:
        self.phone_normalized = normalize_phone(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_normalized"}
        super().save(*args, **kwargs)

    def has_role(self, role: Role | str) -> bool:
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return str(role) in self._role_names

    @property
    def role(self) -> str | None:
        """The role the pages act on: SUPERUSER for a superuser, else the first group held,
        the widest first (a manager who is also an agent is served as a manager)."""
        if self.is_superuser:
            return SUPERUSER
        for role in (Role.MANAGER, Role.LEADER, Role.AGENT, Role.ENGINEER, Role.CUSTOMER):
            if self.has_role(role):
                return role.value
        return None


class TsTzRange(models.Func):
    """PostgreSQL's tstzrange(start, end): half-open, so a shift ending at 08:00 and the
    next starting at 08:00 do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class DutyShift(Timestamped):
    """An engineer on duty (值班) for a branch: the weekly roster, and holiday and event duty
    on site or on call (seed 002, 4.5.3: 节假日期间，或有重要的会议及有关活动期间 … 值班).
    Planned on the duty pages (duty/services.py); read by dispatch and the hotline console
    through accounts.selectors.shifts_on_duty."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular duty")
        HOLIDAY = "holiday", _("Holiday duty")
        EVENT = "event", _("Event duty")

    class Mode(models.TextChoices):
        ON_CALL = "on_call", _("On call")
        ON_SITE = "on_site", pgettext_lazy("duty mode", "On site")

    engineer = models.ForeignKey(
        User, verbose_name=_("engineer"), on_delete=models.CASCADE, related_name="duty_shifts"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="duty_shifts"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    kind = models.CharField(
        _("kind of duty"), max_length=10, choices=Kind.choices, default=Kind.REGULAR
    )
    mode = models.CharField(
        _("on call or on site"), max_length=10, choices=Mode.choices, default=Mode.ON_CALL
    )
    # Where an on-site duty is kept (a customer's site during an important meeting).
    site = models.ForeignKey(
        "contracts.Site",
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duty_shifts",
    )
    event = models.CharField(_("event"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            # One engineer is never on two duties at once (btree_gist).
            ExclusionConstraint(
                name="shift_no_overlap_per_engineer",
                expressions=[
                    ("engineer", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("This engineer is already on duty at that time."),
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "starts_at", "ends_at"], name="shift_branch_time")
        ]

    def __str__(self) -> str:
        return f"{self.engineer} {self.starts_at:%Y-%m-%d %H:%M}"
