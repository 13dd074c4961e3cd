from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.tickets.conftest import shanghai
from tickets.escalation import escalation_acknowledge, sweep_due_steps
from tickets.mail import notifications_deliver
from tickets.models import (
    ClockPause,
    EscalationRule,
    EscalationStep,
    Notification,
    SlaClock,
    TicketEvent,
)
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_transition

pytestmark = pytest.mark.django_db

T0 = shanghai(2026, 11, 25, 10, 0)


def _ticket(world, *, priority="P1", at=T0, **extra):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority=priority,
        summary="Pumps not reporting",
        channel="phone",
        reported_at=at,
        now=at,
        **extra,
    )


def _steps(ticket):
    return sorted(
        (s.clock.kind, s.rule.percent, s.rule.extra_minutes, s.tier, s.superseded)
        for s in EscalationStep.objects.filter(ticket=ticket).select_related("clock", "rule")
    )


def _recipients(ticket):
    return sorted(
        (n.step.clock.kind, n.step.kind, n.user.username)
        for n in Notification.objects.filter(ticket=ticket).select_related("step__clock", "user")
    )


def test_default_ladder_is_installed():
    assert sorted(
        EscalationRule.objects.values_list("kind", "percent", "extra_minutes", "tier")
    ) == [
        ("breach", 100, 0, "management"),
        ("escalation", 100, 120, "leadership"),
        ("warning", 50, 0, "implementation"),
        ("warning", 75, 0, "implementation"),
    ]


def test_each_rung_is_reached_at_its_moment_and_notified_once(world):
    ticket = _ticket(world)
    response = ticket.clocks.get(kind="response")
    assert response.next_step_at == T0 + timedelta(minutes=15)
    assert response.at_risk_at == T0 + timedelta(minutes=15)

    assert sweep_due_steps(now=T0 + timedelta(minutes=14)).steps == 0
    assert sweep_due_steps(now=T0 + timedelta(minutes=15)).steps == 1
    assert sweep_due_steps(now=T0 + timedelta(minutes=15)).steps == 0
    # No engineer assigned yet: the engineers of the site's branch are warned.
    assert _recipients(ticket) == [("response", "warning", "engineer")]

    sweep_due_steps(now=T0 + timedelta(minutes=23))
    sweep_due_steps(now=T0 + timedelta(minutes=30))
    response.refresh_from_db()
    assert response.status == "breached"
    assert response.breached_at == T0 + timedelta(minutes=30)
    assert _recipients(ticket) == [
        ("response", "breach", "manager"),
        ("response", "warning", "engineer"),
        ("response", "warning", "engineer"),
    ]
    sweep_due_steps(now=T0 + timedelta(minutes=150))
    assert ("response", "escalation", "leader") in _recipients(ticket)
    escalations = ticket.events.filter(kind=TicketEvent.Kind.ESCALATION)
    assert escalations.count() == EscalationStep.objects.filter(ticket=ticket).count()


def test_catch_up_after_an_hour_without_workers_records_each_step_once(world):
    ticket = _ticket(world)
    # Nothing ran for 5 hours: one sweep finds everything that fell due meanwhile.
    result = sweep_due_steps(now=T0 + timedelta(hours=5))
    assert _steps(ticket) == [
        ("onsite", 50, 0, "implementation", True),
        ("onsite", 75, 0, "implementation", True),
        ("onsite", 100, 0, "management", False),
        ("response", 50, 0, "implementation", True),
        ("response", 75, 0, "implementation", True),
        ("response", 100, 0, "management", False),
        ("response", 100, 120, "leadership", False),
    ]
    assert result.steps == 7
    # Superseded warnings are recorded with their real due time, but not sent.
    due = EscalationStep.objects.get(ticket=ticket, clock__kind="response", rule__percent=50).due_at
    assert due == T0 + timedelta(minutes=15)
    assert _recipients(ticket) == [
        ("onsite", "breach", "manager"),
        ("response", "breach", "manager"),
        ("response", "escalation", "leader"),
    ]
    assert sweep_due_steps(now=T0 + timedelta(hours=5)).steps == 0
    assert EscalationStep.objects.filter(ticket=ticket).count() == 7


def test_a_stopped_clock_is_never_escalated(world):
    ticket = _ticket(world)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0 + timedelta(minutes=5))
    assert ticket.clocks.get(kind="response").next_step_at is None
    sweep_due_steps(now=T0 + timedelta(minutes=40))
    assert not EscalationStep.objects.filter(ticket=ticket, clock__kind="response").exists()


def test_a_paused_clock_waits_and_resumes_its_ladder(world):
    ticket = _ticket(world, priority="P3")
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0)
    ticket_transition(ticket_id=ticket.pk, name="wait_customer", user=world["agent"], now=T0)
    assert not SlaClock.objects.filter(ticket=ticket, next_step_at__isnull=False).exists()
    assert sweep_due_steps(now=T0 + timedelta(days=10)).steps == 0
    ticket_transition(
        ticket_id=ticket.pk, name="resume", user=world["agent"], now=shanghai(2026, 11, 26, 9, 0)
    )
    onsite = ticket.clocks.get(kind="onsite")
    # 240 business minutes from Thursday 09:00; 50 % after 120 of them.
    assert onsite.target_at == shanghai(2026, 11, 26, 14, 30)
    assert onsite.next_step_at == shanghai(2026, 11, 26, 11, 0)


def test_assigned_engineer_is_warned_and_the_unique_constraint_forbids_a_repeat(world):
    ticket = _ticket(world)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0)
    from tickets.services.transitions import ticket_dispatch

    ticket_dispatch(
        ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer_north"], now=T0
    )
    sweep_due_steps(now=T0 + timedelta(hours=2))
    assert ("onsite", "warning", "engineer_north") in _recipients(ticket)
    step = EscalationStep.objects.filter(ticket=ticket).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationStep.objects.create(
            clock=step.clock,
            rule=step.rule,
            ticket=ticket,
            kind=step.kind,
            tier=step.tier,
            due_at=step.due_at,
            fired_at=step.fired_at,
        )


def test_emails_go_out_once_per_notification(world, mailoutbox):
    _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=31))
    sent = notifications_deliver()
    assert sent == len(mailoutbox) == Notification.objects.exclude(user__email="").count() > 0
    assert notifications_deliver() == 0
    ticket_number = Notification.objects.first().ticket.number
    # The ticket's tag, [#number], which a reply keeps (mail_intake).
    assert all(m.subject.startswith(f"[#{ticket_number}] ") for m in mailoutbox)


def test_only_the_tier_reached_can_acknowledge_and_it_is_recorded(world):
    ticket = _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=31))
    breach = EscalationStep.objects.get(ticket=ticket, clock__kind="response", kind="breach")
    with pytest.raises(PermissionDenied):
        escalation_acknowledge(step=breach, user=world["engineer"])
    escalation_acknowledge(step=breach, user=world["manager"])
    breach.refresh_from_db()
    assert breach.acknowledged_by == world["manager"]
    assert ticket.events.filter(kind="escalation", actor=world["manager"]).exists()


def test_management_command_runs_one_sweep(world, capsys):
    _ticket(world, at=shanghai(2026, 1, 5, 10, 0))
    call_command("sla_sweep")
    assert "escalation steps" in capsys.readouterr().out
    assert EscalationStep.objects.exists()


def test_a_sweep_with_nothing_due_costs_the_same_whatever_the_number_of_tickets(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            sweep_due_steps(now=T0)
        return [q["sql"] for q in captured.captured_queries]

    for _ in range(3):
        _ticket(world)
    few = queries()
    for _ in range(30):
        _ticket(world)
    many = queries()
    # The sweep's fixed queries, plus the heartbeat upsert /healthz reads.
    assert len(few) == len(many) <= 5
    assert any("tickets_heartbeat" in sql for sql in many)
    # The due-clock query reads the indexed deadline column, nothing per ticket.
    assert any('"next_step_at" <=' in sql for sql in many)


def test_the_sweep_is_scheduled_every_two_seconds(settings):
    # A step is found at most one interval after it falls due: p99 under 5 s needs less than 5.
    entry = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]
    assert entry["task"] == "tickets.tasks.sla_sweep"
    assert entry["schedule"] == 2.0


def test_a_refused_address_neither_blocks_nor_repeats_the_other_emails(world, settings, mailoutbox):
    from accounts.roles import Role
    from tests.factories import UserFactory

    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    UserFactory(
        username="manager2",
        role=Role.MANAGER,
        branch=world["manager"].branch,
        email="bad@example.com",
    )
    _ticket(world)
    sweep_due_steps(now=T0 + timedelta(minutes=31))
    for hours in range(3):  # each run after the refused e-mail's retry delay
        notifications_deliver(now=timezone.now() + timedelta(hours=hours))
    to_manager = [m for m in mailoutbox if m.to == ["manager@example.com"]]
    assert len(to_manager) == 1
    bad = Notification.objects.get(user__username="manager2")
    assert (bad.emailed_at, bad.email_failures) == (None, 3)


def test_a_calendar_without_working_time_does_not_stop_other_escalations(world):
    from contracts.models import WorkingWindow

    p3 = _ticket(world, priority="P3")
    p1 = _ticket(world, at=T0 + timedelta(minutes=1))
    WorkingWindow.objects.filter(calendar=world["business"]).delete()
    sweep_due_steps(now=T0 + timedelta(hours=6))
    assert EscalationStep.objects.filter(ticket=p1, kind="breach").exists()
    # The P3 clocks on business hours simply wait until the calendar has hours again.
    assert not EscalationStep.objects.filter(ticket=p3, clock__kind="onsite").exists()


def test_steps_due_before_a_late_stop_are_still_recorded(world):
    ticket = _ticket(world)
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0 + timedelta(minutes=45))
    sweep_due_steps(now=T0 + timedelta(minutes=46))
    response = sorted(
        EscalationStep.objects.filter(ticket=ticket, clock__kind="response").values_list(
            "rule__percent", "rule__extra_minutes"
        )
    )
    # 50 %, 75 % and the breach fell due before the acknowledgement; +120 min never will.
    assert response == [(50, 0), (75, 0), (100, 0)]
    assert sweep_due_steps(now=T0 + timedelta(hours=5)).steps > 0  # other clocks go on
    assert EscalationStep.objects.filter(ticket=ticket, clock__kind="response").count() == 3


def test_upgrade_while_waiting_then_resume_runs_the_clock_again(world):
    from tickets.services.priority import ticket_change_priority

    ticket = _ticket(world, priority="P3")
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0 + timedelta(minutes=5))
    wait_at = shanghai(2026, 11, 25, 14, 30)
    ticket_transition(ticket_id=ticket.pk, name="wait_customer", user=world["agent"], now=wait_at)
    ticket_change_priority(
        ticket_id=ticket.pk, user=world["agent"], priority="P1", now=wait_at + timedelta(minutes=10)
    )
    sweep_due_steps(now=wait_at + timedelta(minutes=11))
    ticket_transition(
        ticket_id=ticket.pk, name="resume", user=world["agent"], now=shanghai(2026, 11, 25, 15, 0)
    )
    onsite = ticket.clocks.get(kind="onsite")
    assert not onsite.pauses.filter(ended_at__isnull=True).exists()
    assert onsite.status == "breached"
    sweep_due_steps(now=shanghai(2026, 11, 25, 18, 0))
    kinds = set(EscalationStep.objects.filter(clock=onsite).values_list("kind", flat=True))
    assert "escalation" in kinds  # 4 h + 2 h of 7×24 plus the 30-minute pause: due 16:30


def test_cancelling_a_waiting_breached_ticket_leaves_no_clock_paused(world):
    ticket = _ticket(world, priority="P3")
    ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"], now=T0 + timedelta(minutes=5))
    sweep_due_steps(now=shanghai(2026, 11, 25, 16, 0))
    ticket_transition(
        ticket_id=ticket.pk,
        name="wait_customer",
        user=world["agent"],
        now=shanghai(2026, 11, 25, 16, 5),
    )
    ticket_transition(
        ticket_id=ticket.pk,
        name="cancel",
        note="No longer needed.",
        user=world["agent"],
        now=shanghai(2026, 11, 25, 16, 10),
    )
    statuses = dict(ticket.clocks.values_list("kind", "status"))
    assert statuses["onsite"] == "breached"
    assert "paused" not in statuses.values()
    assert not ClockPause.objects.filter(clock__ticket=ticket, ended_at__isnull=True).exists()


def test_each_step_records_how_late_the_sweep_found_it(world):
    ticket = _ticket(world)
    # The response warning falls due at 10:15; the sweep that finds it runs at 10:17.
    sweep_due_steps(now=T0 + timedelta(minutes=17))
    step = EscalationStep.objects.get(ticket=ticket)
    assert step.due_at == T0 + timedelta(minutes=15)
    assert step.fired_at == T0 + timedelta(minutes=17)
    assert step.lateness == timedelta(minutes=2)
    assert step.lateness_seconds == 120
    # Stored in the database, so reports can count late detections in SQL.
    assert EscalationStep.objects.filter(lateness__gt=timedelta(minutes=1)).count() == 1
    sweep_due_steps(now=T0 + timedelta(minutes=30))
    on_time = EscalationStep.objects.get(ticket=ticket, kind="breach", clock__kind="response")
    assert on_time.lateness == timedelta(0)
