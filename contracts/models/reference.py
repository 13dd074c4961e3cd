import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceStamp(models.Model):
    """One row whose value changes with every change of contracts, terms, sites, items or
    calendars (contracts/cache.py): processes that keep those in memory compare it to know
    when to read them again. A fresh random value each time, never a counter, so a rolled
    back change can never bring back a value that stood for other data."""

    value = models.UUIDField(_("value"), default=uuid.uuid4)

    class Meta:
        verbose_name = _("reference data stamp")
        verbose_name_plural = _("reference data stamps")

    def __str__(self) -> str:
        return str(self.value)
