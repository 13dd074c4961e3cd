"""What a creating request already did, so a double click or a retry does it once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One use of a form token or an API `Idempotency-Key` by one user.

    The row is written in the same transaction as what the request creates: a second
    request with the same key waits on the unique index, then finds this row and gets the
    first answer again instead of creating a second object.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=255)
    # What was asked (method and path): the same key on another request is a mistake.
    scope = models.CharField(_("request"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    body = models.JSONField(_("answer"), null=True, blank=True)
    location = models.CharField(_("redirected to"), max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_once_per_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
