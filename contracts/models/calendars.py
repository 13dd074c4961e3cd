from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.schedule import Schedule
from core.models import Timestamped


class Calendar(Timestamped):
    """The working time an SLA clock counts in: 7×24, or business hours with holidays.

    Business-hours calendars know Chinese public holidays and make-up workdays
    (调休), which a manager edits as the State Council publishes them.
    """

    class Kind(models.TextChoices):
        ALWAYS_ON = "always_on", _("7×24: every hour counts")
        BUSINESS_HOURS = "business_hours", _("Business hours with holidays")

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    timezone = models.CharField(_("time zone"), max_length=50, default=settings.TIME_ZONE)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (KeyError, ValueError) as exc:
            raise ValidationError({"timezone": _("Unknown time zone.")}) from exc

    @property
    def is_always_on(self) -> bool:
        return self.kind == self.Kind.ALWAYS_ON

    def schedule(self) -> Schedule:
        """The pure working-time schedule the clock arithmetic runs on.

        Reads windows, days and years through `.all()` so a prefetch covers it.
        Only the years a manager or the official source confirmed count as
        confirmed; deadlines that read any other year are provisional.
        """
        tz = ZoneInfo(self.timezone)
        if self.is_always_on:
            return Schedule.around_the_clock(tz)
        weekly: list[list[tuple]] = [[] for _ in range(7)]
        for window in self.windows.all():
            weekly[window.weekday].append((window.starts_at, window.ends_at))
        holidays: set[date] = set()
        workdays: list[tuple[date, int]] = []
        confirmed = frozenset(
            y.year for y in self.years.all() if y.status == CalendarYear.Status.CONFIRMED
        )
        for day in self.days.all():
            if day.kind == CalendarDay.Kind.HOLIDAY:
                holidays.add(day.date)
            else:
                workdays.append((day.date, day.follows_weekday))
        return Schedule(
            tz=tz,
            weekly=tuple(tuple(sorted(w)) for w in weekly),
            holidays=frozenset(holidays),
            workdays=tuple(sorted(workdays)),
            confirmed_years=confirmed,
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingWindow(Timestamped):
    """One stretch of working time on a weekday, e.g. Monday 09:00–12:00."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="windows"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        ordering = ["calendar", "weekday", "starts_at"]
        verbose_name = _("working window")
        verbose_name_plural = _("working windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="window_starts_before_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError({"ends_at": _("A window must end after it starts.")})
        if self.calendar_id and self.starts_at and self.ends_at:
            overlapping = WorkingWindow.objects.filter(
                calendar_id=self.calendar_id,
                weekday=self.weekday,
                starts_at__lt=self.ends_at,
                ends_at__gt=self.starts_at,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("This window overlaps another window on the same day."))


class CalendarDay(Timestamped):
    """A date that departs from the weekly pattern: a public holiday or a make-up workday (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday: no working time")
        WORKDAY = "workday", _("Make-up workday")

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    follows_weekday = models.PositiveSmallIntegerField(
        _("works like"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("For a make-up workday: whose working windows apply."),
    )

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(Timestamped):
    """What a calendar knows about one year's holidays and make-up workdays (调休).

    Confirmed: the State Council's notice is in (imported from chinese-calendar,
    or entered and confirmed by a manager). Provisional: only the statutory
    holidays are known (from the `holidays` package), the make-up workdays and
    bridging days are not; deadlines that read such a year may still move.
    A year without a row is not known at all.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        PROVISIONAL = "provisional", _("Provisional: make-up workdays not known")

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["calendar", "year"]
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="calendar_year_unique"),
            models.CheckConstraint(
                condition=models.Q(year__gte=1949) & models.Q(year__lte=2200),
                name="calendar_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year} {self.get_status_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED
