from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class Heartbeat(Timestamped):
    """When a periodic job last completed, one row per job: the database is the source of truth.

    The SLA sweep writes `sla_sweep` at the end of every completed run, a
    worker writes `worker` each time it runs the heartbeat task; /healthz and
    the staff banner read them. Kept in PostgreSQL, not Redis, so the record
    survives the broker's loss.
    """

    class Name(models.TextChoices):
        SLA_SWEEP = "sla_sweep", _("SLA sweep")
        WORKER = "worker", _("Celery worker")

    name = models.CharField(_("name"), max_length=30, choices=Name.choices, unique=True)
    at = models.DateTimeField(_("last completed at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
