"""One rule for a clock's outcome: the SQL side and the Python side agree on every kind of clock."""

import itertools
from datetime import timedelta

import pytest

from tests.tickets.conftest import shanghai
from tickets.models import Outcome, SlaClock, Ticket, clock_outcome
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 11, 25, 12, 0)
H = timedelta(hours=1)
Status = SlaClock.Status


def _tickets(world, count: int) -> list[Ticket]:
    """`count` tickets without clocks of their own (copies of one real ticket)."""
    first = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="consultation",
        priority="P2",
        summary="Outcome rule",
        channel="phone",
        reported_at=NOW - 10 * H,
        now=NOW - 10 * H,
    )
    SlaClock.objects.filter(ticket=first).delete()
    tickets = [first]
    for index in range(1, count):
        copy = Ticket.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{first.number}-{index}"
        copy.save()
        tickets.append(copy)
    return tickets


def _clocks(world, rows: list[dict]) -> list[SlaClock]:
    kinds = list(SlaClock.Kind.values)
    tickets = _tickets(world, (len(rows) + len(kinds) - 1) // len(kinds))
    clocks = [
        SlaClock(
            ticket=tickets[index // len(kinds)],
            kind=kinds[index % len(kinds)],
            budget_seconds=8 * 3600,
            started_at=NOW - 10 * H,
            **row,
        )
        for index, row in enumerate(rows)
    ]
    return SlaClock.objects.bulk_create(clocks)


def test_sql_and_python_agree_on_every_combination(world):
    """Every status × stop × target × at-risk moment × recorded breach, boundaries included."""
    rows = [
        {
            "status": status,
            "stopped_at": stopped,
            "target_at": target,
            "at_risk_at": at_risk,
            "breached_at": target if (breached and target) else (NOW - 5 * H if breached else None),
        }
        for status, stopped, target, at_risk, breached in itertools.product(
            Status.values,
            [None, NOW - 3 * H, NOW - 2 * H, NOW - H],
            [None, NOW - 2 * H, NOW, NOW + 2 * H],
            [None, NOW - H, NOW, NOW + H],
            [False, True],
        )
    ]
    _clocks(world, rows)
    in_sql = dict(SlaClock.objects.with_outcome(NOW).values_list("pk", "outcome"))
    in_python = {clock.pk: clock_outcome(clock, NOW) for clock in SlaClock.objects.all()}
    assert len(in_sql) == len(rows)
    disagree = {pk: (in_sql[pk], in_python[pk]) for pk in in_sql if in_sql[pk] != in_python[pk]}
    assert disagree == {}
    # The filters are the same conditions: each outcome's filter finds exactly its clocks.
    for outcome in Outcome.values:
        expected = {pk for pk, value in in_python.items() if value == outcome}
        assert expected, f"no clock came out {outcome}"
        assert set(SlaClock.objects.by_outcome(outcome, NOW).values_list("pk", flat=True)) == (
            expected
        )
    assert set(SlaClock.objects.breached(NOW).values_list("pk", flat=True)) == {
        pk for pk, value in in_python.items() if value == Outcome.BREACHED
    }


CASES = [
    # (what, clock fields, outcome at NOW)
    ("stopped before target", {"stopped_at": NOW - 3 * H, "target_at": NOW - 2 * H}, "met"),
    ("stopped at the target", {"stopped_at": NOW - 2 * H, "target_at": NOW - 2 * H}, "met"),
    ("stopped after target", {"stopped_at": NOW - H, "target_at": NOW - 2 * H}, "breached"),
    (
        "stopped in time but breached earlier under other terms",
        {"stopped_at": NOW - 3 * H, "target_at": NOW - 2 * H, "breached_at": NOW - 4 * H},
        "breached",
    ),
    ("running, before warning", {"target_at": NOW + 2 * H, "at_risk_at": NOW + H}, "running"),
    ("running, no warning rung", {"target_at": NOW + 2 * H}, "running"),
    ("running, warning reached", {"target_at": NOW + 2 * H, "at_risk_at": NOW}, "at_risk"),
    ("running, at the target", {"target_at": NOW, "at_risk_at": NOW - H}, "at_risk"),
    ("running past target", {"target_at": NOW - H, "at_risk_at": NOW - 2 * H}, "breached"),
    (
        "breach recorded by the sweep",
        {"status": "breached", "target_at": NOW - H, "breached_at": NOW - H},
        "breached",
    ),
    ("paused", {"status": "paused", "at_risk_at": NOW - H}, "paused"),
    (
        "paused after its target passed",
        {"status": "paused", "breached_at": NOW - 2 * H},
        "breached",
    ),
    ("not needed", {"status": "cancelled", "stopped_at": NOW - H}, "not_needed"),
    (
        "cancelled after its target passed",
        {"status": "cancelled", "stopped_at": NOW - H, "target_at": NOW - 2 * H},
        "breached",
    ),
]


@pytest.mark.parametrize(("what", "fields", "expected"), CASES, ids=[c[0] for c in CASES])
def test_outcome_rule(world, what, fields, expected):
    fields = {"status": Status.RUNNING, **fields}
    if fields.get("stopped_at") and fields["status"] == Status.RUNNING:
        fields["status"] = Status.MET
    [clock] = _clocks(world, [fields])
    assert clock_outcome(clock, NOW) == expected
    assert SlaClock.objects.with_outcome(NOW).get(pk=clock.pk).outcome == expected
    assert clock.outcome_at(NOW) == expected


def _p3(world, at):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P3",
        summary="Screen flickers",
        channel="phone",
        reported_at=at,
        now=at,
    )


def test_a_deadline_passed_before_a_pause_stays_breached(world):
    """P3 response: 30 min on 7×24; paused 40 min in, before the sweep noticed."""
    from tickets.services.transitions import ticket_acknowledge, ticket_transition

    at = NOW - 2 * H
    ticket = _p3(world, at)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=at + timedelta(minutes=5))
    resolution = ticket.clocks.get(kind="resolution")
    resolution.target_at = at + timedelta(minutes=20)  # as if a short promise
    resolution.save()
    ticket_transition(
        ticket_id=ticket.pk,
        name="wait_customer",
        user=world["agent"],
        now=at + timedelta(minutes=40),
    )
    resolution.refresh_from_db()
    assert resolution.status == Status.PAUSED and resolution.target_at is None
    assert resolution.breached_at == at + timedelta(minutes=20)
    assert clock_outcome(resolution, NOW) == Outcome.BREACHED
    assert SlaClock.objects.breached(NOW).filter(pk=resolution.pk).exists()


def test_a_ticket_cancelled_after_a_deadline_keeps_the_breach(world):
    from tickets.services.transitions import ticket_transition

    at = NOW - 2 * H
    ticket = _p3(world, at)
    ticket_transition(
        ticket_id=ticket.pk,
        name="cancel",
        note="No longer needed.",
        user=world["agent"],
        now=at + H,
    )
    outcomes = {c.kind: clock_outcome(c, NOW) for c in ticket.clocks.all()}
    # Response (30 min) had passed; on site and resolution had not.
    assert outcomes == {
        "response": Outcome.BREACHED,
        "onsite": Outcome.NOT_NEEDED,
        "resolution": Outcome.NOT_NEEDED,
    }
    assert ticket.clocks.get(kind="response").status == Status.BREACHED
