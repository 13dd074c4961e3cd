"""Moments read back from PostgreSQL are the moments written, aware and in UTC, however
they are read (models, values, raw SQL, a server-side cursor): the connection reads
`timestamptz` with psycopg's compiled loader (core.postgresql) instead of Django's."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import Branch
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

MOMENTS = [
    datetime(2026, 10, 1, 0, 0, 0, 1, tzinfo=SHANGHAI),  # local midnight: the day before in UTC
    datetime(2026, 2, 17, 23, 59, 59, 999999, tzinfo=SHANGHAI),  # Spring Festival eve
    datetime(1999, 12, 31, 16, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),  # an offset that moves
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_moment_comes_back_unchanged_in_utc(moment):
    branch = BranchFactory()
    Branch.objects.filter(pk=branch.pk).update(created_at=moment)

    read = [
        Branch.objects.get(pk=branch.pk).created_at,
        Branch.objects.filter(pk=branch.pk).values_list("created_at", flat=True).get(),
        next(Branch.objects.filter(pk=branch.pk).iterator(chunk_size=10)).created_at,
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT created_at FROM accounts_branch WHERE id = %s", [branch.pk])
        read.append(cursor.fetchone()[0])

    for value in read:
        assert value == moment
        assert value.tzinfo is UTC
        assert value.utcoffset() == timedelta(0)


def test_arithmetic_and_comparison_in_sql_agree_with_python():
    early, late = MOMENTS[0], MOMENTS[0] + timedelta(microseconds=1)
    first, second = BranchFactory(), BranchFactory()
    Branch.objects.filter(pk=first.pk).update(created_at=early)
    Branch.objects.filter(pk=second.pk).update(created_at=late)

    ordered = list(
        Branch.objects.filter(pk__in=[first.pk, second.pk])
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )

    assert ordered == [late, early]
    assert ordered[0] - ordered[1] == timedelta(microseconds=1)
