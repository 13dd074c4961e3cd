"""What ticket creation reads again and again of contracts (a customer's contracts with
their terms, sites and items; a calendar's schedule), kept in each process and read again
when any of it has changed.

"Changed" is told by one row in the database (`ReferenceStamp`), given a new value in the
same transaction as the change, so every process (each web worker, the Celery worker) sees
it on its next read: one single-row query instead of the eight to twelve that the
contracts, terms and calendars cost. Saves and deletes of the models below change it
through signals (`stamp_receivers`, connected in contracts/apps.py); bulk writes, which send
no signals, call `reference_changed()` themselves (contracts/services.py).

What comes out of the cache is shared by the requests of a process: read it, never change it.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from contracts.models import (
    Calendar,
    CalendarDay,
    CalendarYear,
    Contract,
    CoveredItem,
    Customer,
    ReferenceStamp,
    ServiceTerms,
    Site,
    WorkingWindow,
)

T = TypeVar("T")
# Everything a contract's cover or a calendar's schedule is made of.
STAMPED_MODELS = [
    Calendar,
    CalendarDay,
    CalendarYear,
    Contract,
    CoveredItem,
    Customer,
    ServiceTerms,
    Site,
    WorkingWindow,
]
STAMP_ID = 1

_kept: dict[tuple, tuple[object, object]] = {}


def reference_stamp() -> object:
    """The stamp's value now (None before the first change): one primary-key read."""
    return ReferenceStamp.objects.filter(pk=STAMP_ID).values_list("value", flat=True).first()


def reference_changed() -> None:
    """Give the stamp a new value: every process reads its contracts and calendars again."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ReferenceStamp._meta.db_table} (id, value) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value",
            [STAMP_ID, uuid.uuid4()],
        )


def kept(key: tuple, stamp: object, build: Callable[[], T]) -> T:
    """The value kept under `key` if it was built under this stamp, else built now and kept."""
    found = _kept.get(key)
    if found is not None and found[0] == stamp:
        return found[1]
    value = build()
    _kept[key] = (stamp, value)
    return value


def customer_contracts(customer_id: int, *, stamp: object) -> list[Contract]:
    """The customer's contracts with terms, calendars, sites and items (contracts_with_terms)."""
    from contracts.selectors import contracts_with_terms

    return kept(
        ("contracts", customer_id),
        stamp,
        lambda: list(contracts_with_terms(Contract.objects.filter(customer_id=customer_id))),
    )


def _stamp_on_change(sender, **kwargs) -> None:
    reference_changed()


def _stamp_on_m2m(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        reference_changed()


def stamp_receivers() -> None:
    for model in STAMPED_MODELS:
        uid = f"contracts.cache.{model.__name__}"
        post_save.connect(_stamp_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_stamp_on_change, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Contract.sites.through, Contract.covered_items.through):
        m2m_changed.connect(
            _stamp_on_m2m, sender=through, dispatch_uid=f"contracts.cache.{through}"
        )
