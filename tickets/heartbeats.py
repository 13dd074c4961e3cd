"""Heartbeats of the periodic jobs: written by the sweep and the worker, read by health checks.

`heartbeat_record` is the one service that writes them (the sweep's task and
`manage.py sla_sweep` reach it through `sweep_due_steps`); the selectors below
are what /healthz and the staff banner read: one primary-key lookup each.
"""

from datetime import datetime

from django.utils import timezone

from tickets.models import Heartbeat

# /healthz fails when the last completed sweep is older than this (beat sweeps every 2 s).
SWEEP_HEALTHY_SECONDS = 30
# Staff pages show the red banner past this.
SWEEP_BANNER_SECONDS = 60
# The worker runs the heartbeat task every 10 s; three missed beats and it counts as gone.
WORKER_HEALTHY_SECONDS = 30


def heartbeat_record(*, name: str, now: datetime | None = None) -> None:
    """Note that the job `name` just completed; one upsert, safe from any number of processes."""
    now = now or timezone.now()
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=now)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at", "updated_at"],
    )


def heartbeat_at(*, name: str) -> datetime | None:
    """When the job last completed, or None if it never did."""
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def heartbeat_age_seconds(*, name: str, now: datetime | None = None) -> float | None:
    at = heartbeat_at(name=name)
    if at is None:
        return None
    return max(0.0, ((now or timezone.now()) - at).total_seconds())


def sweep_stale_since(*, now: datetime | None = None) -> tuple[bool, datetime | None]:
    """For the staff banner: (stale, last completed sweep). Stale also when none ever ran."""
    at = heartbeat_at(name=Heartbeat.Name.SLA_SWEEP)
    if at is None:
        return True, None
    return ((now or timezone.now()) - at).total_seconds() > SWEEP_BANNER_SECONDS, at
