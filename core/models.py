"""The fields nearly every table of the project carries."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """When a row was created and last saved (abstract: the columns live on each table).

    `updated_at` moves on a full `save()`; a `save(update_fields=[...])` moves it only
    when the list names it, and a queryset `update()` only when given it.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
