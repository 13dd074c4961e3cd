"""Spare parts kept at each branch, the parts a ticket took and used, and the substitute
devices lent while a customer's own is repaired (seed 002, 4.5.2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class StockItem(Timestamped):
    """Spare parts of one kind on a branch's shelf, or one unit tracked by its serial number
    (then its quantity is 0 or 1)."""

    branch = models.ForeignKey(
        "accounts.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="stock"
    )
    name = models.CharField(_("part"), max_length=200)
    model = models.CharField(
        _("model"), max_length=100, blank=True, help_text=_("The model of device it fits.")
    )
    serial_number = models.CharField(
        _("serial number"),
        max_length=100,
        blank=True,
        help_text=_("Only for a unit tracked one by one: its quantity is then 0 or 1."),
    )
    quantity = models.PositiveIntegerField(_("quantity in stock"), default=0)
    location = models.CharField(_("location"), max_length=200, blank=True)
    reorder_level = models.PositiveIntegerField(
        _("alert at"),
        default=0,
        help_text=_(
            "The branch's managers are told when the stock of this part and model falls to "
            "this quantity or below (0: never)."
        ),
    )

    class Meta:
        ordering = ["branch__name", "name", "model", "serial_number"]
        verbose_name = _("spare part in stock")
        verbose_name_plural = _("spare parts in stock")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "serial_number"],
                condition=~Q(serial_number=""),
                name="stock_unique_serial_per_branch",
            ),
            models.CheckConstraint(
                condition=Q(serial_number="") | Q(quantity__lte=1),
                name="stock_tracked_unit_is_one",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.name} ({self.model})" if self.model else self.name
        return f"{label} [{self.serial_number}]" if self.serial_number else label

    @property
    def is_tracked(self) -> bool:
        return bool(self.serial_number)


class PartUse(Timestamped):
    """Parts taken from stock for a ticket: used on the covered item, or brought back."""

    class State(models.TextChoices):
        TAKEN = "taken", _("Taken to the site")
        USED = "used", _("Used")
        RETURNED = "returned", _("Returned to stock")

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="parts"
    )
    stock_item = models.ForeignKey(
        StockItem, verbose_name=_("part"), on_delete=models.PROTECT, related_name="uses"
    )
    quantity = models.PositiveIntegerField(_("quantity taken"))
    used_quantity = models.PositiveIntegerField(_("quantity used"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TAKEN)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken at"))
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used or returned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("used or returned at"), null=True, blank=True)
    covered_item = models.ForeignKey(
        "contracts.CoveredItem",
        verbose_name=_("covered item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts_used",
        help_text=_("The device the part went into: its record of replaced parts."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["taken_at", "pk"]
        verbose_name = _("part taken for a ticket")
        verbose_name_plural = _("parts taken for tickets")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="part_use_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.stock_item}"


class Substitute(Timestamped):
    """A device of the same class lent while the customer's own is out of service: the
    substitute-device promise is kept when it is installed."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="substitutes",
    )
    device = models.CharField(_("device"), max_length=200)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    location = models.CharField(
        _("installed where"), max_length=200, help_text=_("Room, rack or desk at the site.")
    )
    installed_at = models.DateTimeField(_("installed at"))
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("installed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken back by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["installed_at", "pk"]
        verbose_name = _("substitute device")
        verbose_name_plural = _("substitute devices")

    def __str__(self) -> str:
        return f"{self.device} [{self.serial_number}]" if self.serial_number else self.device
