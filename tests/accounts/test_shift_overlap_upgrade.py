"""An install whose roster already holds overlapping shifts of one engineer upgrades: the
migration that adds the no-overlap rule merges them first (accounts/0006)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from accounts.models import DutyShift
from accounts.roles import Role
from tests.factories import BranchFactory, UserFactory
from tests.tickets.conftest import shanghai

pytestmark = pytest.mark.django_db

MIGRATION = import_module("accounts.migrations.0006_duty_kind_mode_site")


def test_overlapping_shifts_are_merged_before_the_rule_and_others_are_left_alone():
    branch = BranchFactory()
    chen, wu = (UserFactory(role=Role.ENGINEER, branch=branch) for _ in range(2))
    start = shanghai(2026, 5, 1, 8, 0)
    with connection.cursor() as cursor:  # as the roster was before the rule (rolled back)
        cursor.execute(
            "ALTER TABLE accounts_dutyshift DROP CONSTRAINT shift_no_overlap_per_engineer"
        )

    def shift(user, hours_in, hours, note=""):
        return DutyShift.objects.create(
            engineer=user,
            branch=branch,
            starts_at=start + timedelta(hours=hours_in),
            ends_at=start + timedelta(hours=hours_in + hours),
            note=note,
        )

    first = shift(chen, 0, 12, "五一值班")
    shift(chen, 6, 12, "加班")  # overlaps the first
    after = shift(chen, 18, 6)  # touches the merged one's end: no overlap
    other = shift(wu, 0, 12)  # another engineer at the same time
    MIGRATION.merge_overlapping_shifts(apps, None)
    first.refresh_from_db()
    assert (first.starts_at, first.ends_at) == (start, start + timedelta(hours=18))
    assert first.note == "五一值班; 加班"
    assert set(DutyShift.objects.all()) == {first, after, other}
