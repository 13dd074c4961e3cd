from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped
from core.phones import normalize_phone


class Customer(Timestamped):
    """A customer organisation (客户单位) that bought under one or more contracts."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class Contact(Timestamped):
    """A person at the customer who calls the hotline or uses the portal."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_normalized = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    signs_changes = models.BooleanField(
        _("signs change requests"),
        default=False,
        help_text=_(
            "In the customer's project management group: signs change requests and accepts "
            "their evaluation in the portal. When none of a customer's contacts is ticked, "
            "any of them with a portal login may."
        ),
    )

    class Meta:
        ordering = ["customer__name", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"

    def save(self, *args, **kwargs) -> None:
        self.phone_normalized = normalize_phone(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_normalized"}
        super().save(*args, **kwargs)


class Site(Timestamped):
    """A place where the customer's system runs and engineers go on site."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255)
    region = models.CharField(_("region"), max_length=100)
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("serving branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
    )

    class Meta:
        ordering = ["customer__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "name"], name="site_unique_name_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer.short_name or self.customer.name} · {self.name}"


class CoveredItem(Timestamped):
    """Software or equipment under service, identified by its serial number."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", _("Software")
        HARDWARE = "hardware", _("Hardware")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="items"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True, db_index=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    class Meta:
        ordering = ["customer__name", "name"]
        verbose_name = _("covered item")
        verbose_name_plural = _("covered items")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "serial_number"],
                condition=~models.Q(serial_number=""),
                name="item_unique_serial_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.serial_number}]" if self.serial_number else self.name

    @property
    def is_hardware(self) -> bool:
        return self.kind == self.Kind.HARDWARE
