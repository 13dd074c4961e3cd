"""The trial-phase answer (seed 000, 1.4.1): "项目实施组会在 2 个小时内给予明确答复，包括问题修复
完成时间，问题出现的原因等 … 小问题的处理时间不超过 1天，大问题的处理不超过 2天 … 部署更新系统，
然后提交到企业用户，请其确认".

A fault reported while the contract is in trial operation is answered with its cause, the
fix date and its size; only the complete answer keeps the 2-hour response promise, and the
size picks the resolution clock. The fix is deployed, the ticket resolved, the customer
confirms. Deadlines below are computed by hand.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from contracts.phases import Phase
from core.errors import TransitionConflict, TransitionForbidden
from tests.factories import (
    CalendarFactory,
    ContactFactory,
    ContractFactory,
    ServiceTermsFactory,
    SiteFactory,
    UserFactory,
)
from tests.tickets.conftest import shanghai
from tickets.models import Notification, SlaClock, State, TicketEvent, TrialAnswer
from tickets.services.creation import ticket_create
from tickets.services.priority import ticket_change_priority
from tickets.services.transitions import ticket_resolve, ticket_transition
from tickets.trial_answers import trial_answer_save, trial_fix_deployed

pytestmark = pytest.mark.django_db

REPORTED = shanghai(2026, 11, 27, 9, 0)  # a Friday
REPORT = {"symptoms": "报表导出超时", "cause": "查询缺少索引", "solution": "增加索引并发布 2.3.1"}


@pytest.fixture
def trial(staff, branch, business_calendar):
    """A customer whose system is in trial operation (no final acceptance yet): answers
    within 2 hours around the clock; resolution 48 working hours on business days."""
    always = CalendarFactory()
    contract = ContractFactory(
        number="SY-2026-003",
        customer__name="试运行油田分公司",
        signed_on=date(2026, 9, 1),
        final_acceptance_on=None,
        trial_small_fix_hours=24,
        trial_large_fix_hours=48,
        branch=branch,
        service_manager=staff["manager"],
    )
    site = SiteFactory(customer=contract.customer, name="生产指挥中心", branch=branch)
    contract.sites.add(site)
    for priority in ("P2", "P3"):
        ServiceTermsFactory(
            contract=contract,
            phase=Phase.TRIAL,
            priority=priority,
            response_minutes=120,
            onsite_minutes=None,
            resolution_minutes=2880,
            response_calendar=always,
            onsite_calendar=always,
            resolution_calendar=business_calendar,
        )
    contact = ContactFactory(customer=contract.customer, name="王工")
    contact.user = UserFactory(username="trial_customer", role=Role.CUSTOMER)
    contact.save()
    return {**staff, "contract": contract, "contact": contact, "site": site}


def _fault(trial, *, at=REPORTED, kind="fault", priority="P2"):
    return ticket_create(
        created_by=trial["agent"],
        kind=kind,
        priority=priority,
        summary="生产日报导出超时",
        channel="phone",
        customer=trial["contract"].customer,
        contact=trial["contact"],
        site=trial["site"],
        reported_at=at,
        now=at,
    )


def _clock(ticket, kind):
    return SlaClock.objects.get(ticket=ticket, kind=kind)


def _answer(trial, ticket, *, at, size="small", user="agent", **fields):
    values = {"cause": "查询缺少索引", "fix_due_at": REPORTED + timedelta(hours=20), "size": size}
    values.update(fields)
    return trial_answer_save(ticket=ticket, user=trial[user], now=at, **values)


def test_taking_the_call_does_not_keep_the_trial_promise_only_the_complete_answer_does(trial):
    ticket = _fault(trial)
    response = _clock(ticket, "response")
    assert response.target_at == REPORTED + timedelta(hours=2)
    ticket_transition(
        ticket_id=ticket.pk,
        name="acknowledge",
        user=trial["agent"],
        now=REPORTED + timedelta(minutes=5),
    )
    assert _clock(ticket, "response").stopped_at is None  # still running
    # The cause first, the rest later: saved, but not yet an answer.
    trial_answer_save(
        ticket=ticket,
        user=trial["agent"],
        cause="查询缺少索引",
        now=REPORTED + timedelta(minutes=30),
    )
    response = _clock(ticket, "response")
    assert response.stopped_at is None
    assert TrialAnswer.objects.get(ticket=ticket).answered_at is None
    assert not Notification.objects.filter(user=trial["contact"].user).exists()
    answered = REPORTED + timedelta(minutes=90)
    record = trial_answer_save(
        ticket=ticket,
        user=trial["agent"],
        fix_due_at=REPORTED + timedelta(hours=20),
        size="small",
        now=answered,
    )
    assert record.answered_at == answered and record.answered_by == trial["agent"]
    response = _clock(ticket, "response")
    assert (response.status, response.stopped_at) == (SlaClock.Status.MET, answered)
    told = Notification.objects.get(user=trial["contact"].user, key=f"trial:{ticket.pk}:answered")
    assert ticket.number in told.title
    assert TicketEvent.objects.filter(ticket=ticket, data__trial_answer__size="small").exists()


def test_an_answer_after_two_hours_breaches_the_response_and_a_new_ticket_is_taken_with_it(
    trial,
):
    ticket = _fault(trial)
    assert ticket.state == State.NEW
    _answer(trial, ticket, at=REPORTED + timedelta(hours=2, minutes=1))
    ticket.refresh_from_db()
    assert ticket.state == State.ACKNOWLEDGED  # the answer is our response
    response = _clock(ticket, "response")
    assert response.status == SlaClock.Status.BREACHED
    assert response.breached_at == REPORTED + timedelta(hours=2)


def test_the_size_picks_the_resolution_clock_one_day_small_two_days_large(trial):
    small, large = _fault(trial), _fault(trial)
    before = _clock(small, "resolution")
    # Until answered, the terms' 48 working hours on business days hold: far beyond 2 days.
    assert before.target_at > REPORTED + timedelta(days=5)
    _answer(trial, small, at=REPORTED + timedelta(hours=1), size="small")
    _answer(trial, large, at=REPORTED + timedelta(hours=1), size="large")
    # Calendar time from the report: Friday 09:00 + 24 h is Saturday 09:00, + 48 h Sunday.
    assert _clock(small, "resolution").target_at == shanghai(2026, 11, 28, 9, 0)
    assert _clock(large, "resolution").target_at == shanghai(2026, 11, 29, 9, 0)
    assert _clock(small, "resolution").calendar_id is None
    # A new priority brings new terms, not a new size.
    ticket_change_priority(
        ticket_id=small.pk, user=trial["manager"], priority="P3", now=REPORTED + timedelta(hours=2)
    )
    assert _clock(small, "resolution").target_at == shanghai(2026, 11, 28, 9, 0)


def test_once_answered_only_a_service_manager_reclassifies_with_a_reason(trial):
    ticket = _fault(trial)
    _answer(trial, ticket, at=REPORTED + timedelta(hours=1), size="small")
    with pytest.raises(TransitionForbidden):
        _answer(trial, ticket, at=REPORTED + timedelta(hours=3), size="large")
    with pytest.raises(ValidationError) as refused:
        _answer(trial, ticket, at=REPORTED + timedelta(hours=3), size="large", user="manager")
    assert "reason" in refused.value.message_dict
    assert _clock(ticket, "resolution").target_at == shanghai(2026, 11, 28, 9, 0)
    _answer(
        trial,
        ticket,
        at=REPORTED + timedelta(hours=3),
        size="large",
        user="manager",
        reason="需要升级数据库版本",
    )
    assert _clock(ticket, "resolution").target_at == shanghai(2026, 11, 29, 9, 0)
    event = TicketEvent.objects.filter(ticket=ticket, actor=trial["manager"]).latest("at")
    assert "需要升级数据库版本" in event.note
    # The response stays kept when it was.
    assert _clock(ticket, "response").stopped_at == REPORTED + timedelta(hours=1)


def test_a_given_answer_can_be_changed_not_removed_and_a_new_fix_date_is_told(trial):
    ticket = _fault(trial)
    _answer(trial, ticket, at=REPORTED + timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        trial_answer_save(ticket=ticket, user=trial["agent"], cause="  ")
    assert "cause" in refused.value.message_dict
    later = REPORTED + timedelta(hours=22)
    _answer(trial, ticket, at=REPORTED + timedelta(hours=2), fix_due_at=later)
    assert TrialAnswer.objects.get(ticket=ticket).fix_due_at == later
    assert Notification.objects.filter(
        user=trial["contact"].user, key__startswith=f"trial:{ticket.pk}:due:"
    ).exists()
    # The same answer again records nothing new.
    events = TicketEvent.objects.filter(ticket=ticket).count()
    _answer(trial, ticket, at=REPORTED + timedelta(hours=3), fix_due_at=later)
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_bad_input_is_refused_and_changes_nothing(trial):
    ticket = _fault(trial)
    with pytest.raises(ValidationError) as refused:
        _answer(trial, ticket, at=REPORTED, fix_due_at=REPORTED - timedelta(hours=1), size="huge")
    assert set(refused.value.message_dict) == {"fix_due_at", "size"}
    with pytest.raises(ValidationError):
        _answer(trial, ticket, at=REPORTED, fix_due_at=REPORTED + timedelta(days=400))
    assert not TrialAnswer.objects.filter(ticket=ticket).exists()
    assert _clock(ticket, "response").stopped_at is None


def test_who_may_answer(trial):
    ticket = _fault(trial)
    for user in ("customer", "engineer_north"):
        who = trial["contact"].user if user == "customer" else trial[user]
        with pytest.raises(TransitionForbidden):
            trial_answer_save(ticket=ticket, user=who, cause="x")
    # The branch's engineer on site is part of the implementation team.
    trial_answer_save(ticket=ticket, user=trial["engineer"], cause="现场确认：索引缺失")
    assert TrialAnswer.objects.get(ticket=ticket).cause == "现场确认：索引缺失"


def test_resolved_only_after_the_fix_is_deployed_then_the_customer_confirms(trial):
    ticket = _fault(trial)
    with pytest.raises(TransitionConflict):
        trial_fix_deployed(ticket=ticket, user=trial["agent"], deployment="2.3.1", tested=True)
    _answer(trial, ticket, at=REPORTED + timedelta(hours=1))
    with pytest.raises(TransitionConflict):  # not deployed yet
        ticket_resolve(ticket_id=ticket.pk, user=trial["agent"], report=REPORT)
    with pytest.raises(ValidationError) as refused:
        trial_fix_deployed(ticket=ticket, user=trial["agent"], deployment="", tested=False)
    assert set(refused.value.message_dict) == {"deployment", "tested"}
    deployed_at = REPORTED + timedelta(hours=10)
    trial_fix_deployed(
        ticket=ticket,
        user=trial["agent"],
        deployment="发布 2.3.1：日报查询增加索引",
        tested=True,
        now=deployed_at,
    )
    with pytest.raises(TransitionConflict):
        trial_fix_deployed(ticket=ticket, user=trial["agent"], deployment="again", tested=True)
    resolved_at = REPORTED + timedelta(hours=11)
    ticket_resolve(ticket_id=ticket.pk, user=trial["agent"], report=REPORT, now=resolved_at)
    resolution = _clock(ticket, "resolution")
    assert (resolution.status, resolution.stopped_at) == (SlaClock.Status.MET, resolved_at)
    customer = trial["contact"].user
    assert Notification.objects.filter(user=customer, key__startswith=f"trial:{ticket.pk}:confirm:")
    ticket_transition(ticket_id=ticket.pk, name="confirm", user=customer)
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED and ticket.confirmed_by_customer


def test_outside_trial_operation_or_without_the_rule_taking_the_call_is_the_response(trial, world):
    warranty = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    with pytest.raises(TransitionConflict):
        trial_answer_save(ticket=warranty, user=world["agent"], cause="x")
    ticket_transition(ticket_id=warranty.pk, name="acknowledge", user=world["agent"])
    assert _clock(warranty, "response").status == SlaClock.Status.MET
    # A consultation in the trial phase is answered as always (late here: reported on Friday).
    question = _fault(trial, kind="consultation")
    ticket_transition(ticket_id=question.pk, name="acknowledge", user=trial["agent"])
    assert _clock(question, "response").stopped_at is not None
    # A contract without the rule (both hours blank).
    contract = trial["contract"]
    contract.trial_small_fix_hours = contract.trial_large_fix_hours = None
    contract.save()
    plain = _fault(trial)
    ticket_transition(ticket_id=plain.pk, name="acknowledge", user=trial["agent"])
    assert _clock(plain, "response").stopped_at is not None


def test_the_contract_keeps_its_hours_consistent(trial):
    contract = trial["contract"]
    contract.trial_small_fix_hours, contract.trial_large_fix_hours = 48, 24
    with pytest.raises(ValidationError) as refused:
        contract.full_clean()
    assert "trial_large_fix_hours" in refused.value.message_dict
    contract.trial_small_fix_hours, contract.trial_large_fix_hours = 24, None
    with pytest.raises(ValidationError):
        contract.full_clean()


# The API and the page call the same services.


def test_api_answer_in_steps_and_what_each_side_reads(trial):
    ticket = _fault(trial)
    url = reverse("api-trial-answer", args=[ticket.pk])
    agent = APIClient()
    agent.force_authenticate(trial["agent"])
    state = agent.get(url).json()
    assert state["complete"] is False
    assert state["missing"] == ["cause", "fix_due_at", "size"]
    assert state["hours"] == {"small": 24, "large": 48}
    answered = agent.patch(url, {"cause": "查询缺少索引"}, format="json").json()
    assert answered["missing"] == ["fix_due_at", "size"]
    bad = agent.patch(url, {"size": "huge", "fix_due_at": "not a date"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"size", "fix_due_at"}
    for hostile in (
        {"fix_due_at": "0001-01-01T00:00:00-14:00"},
        {"fix_due_at": "9999-12-31T23:59:59+14:00"},
        {"cause": "a\x00b"},
        {"size": None},
        [1, 2],
    ):
        assert agent.patch(url, hostile, format="json").status_code == 400, hostile
    fix_due = (REPORTED + timedelta(days=30)).isoformat()
    done = agent.patch(url, {"fix_due_at": fix_due, "size": "small"}, format="json").json()
    assert done["complete"] is True and done["answer_clock"] in ("met", "breached")
    assert done["fix_within_rule"] is False  # promised beyond the 24 h a small problem has
    customer = APIClient()
    customer.force_authenticate(trial["contact"].user)
    seen = customer.get(url).json()
    assert seen["cause"] == "查询缺少索引"
    assert customer.patch(url, {"cause": "x"}, format="json").status_code == 403
    stranger = APIClient()
    stranger.force_authenticate(UserFactory(username="other_customer", role=Role.CUSTOMER))
    assert stranger.get(url).status_code == 404
    deploy = f"{url}deployment/"
    assert agent.post(deploy, {"deployment": "2.3.1"}, format="json").status_code == 400
    deployed = agent.post(deploy, {"deployment": "2.3.1", "tested": True}, format="json")
    assert deployed.status_code == 200 and deployed.json()["deployed_by"] == "agent"
    assert agent.post(deploy, {"deployment": "2.3.1", "tested": True}).status_code == 409


def test_api_says_plainly_when_the_rule_does_not_apply(world):
    ticket = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    agent = APIClient()
    agent.force_authenticate(world["agent"])
    response = agent.get(reverse("api-trial-answer", args=[ticket.pk]))
    assert response.status_code == 404


def test_the_page_keeps_what_was_typed_on_a_refusal_and_shows_the_answer(client, trial):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    ticket = _fault(trial)
    client.force_login(trial["agent"])
    page = reverse("desk:ticket", args=[ticket.number])
    shown = client.get(page)
    assert "Trial-phase answer" in shown.text and "Still needed" in shown.text
    url = reverse("desk:trial_answer", args=[ticket.number])
    refused = client.post(
        url, {"cause": "查询缺少索引", "fix_due_at": "2026-11-27T08:00", "size": "small"}
    )
    assert refused.status_code == 400
    assert "查询缺少索引" in refused.text
    assert "before the problem was reported" in refused.text
    assert not TrialAnswer.objects.filter(ticket=ticket).exists()
    saved = client.post(
        url, {"cause": "查询缺少索引", "fix_due_at": "2026-11-27T18:00", "size": "small"}
    )
    assert saved.status_code == 302
    record = TrialAnswer.objects.get(ticket=ticket)
    assert record.answered_at is not None and record.fix_due_at == shanghai(2026, 11, 27, 18, 0)
    shown = client.get(page)
    assert "Record the deployment" in shown.text
    # In Chinese, the customer reads our answer in the portal.
    customer = trial["contact"].user
    client.force_login(customer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    portal = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert "查询缺少索引" in portal.text and "2026-11-27 18:00" in portal.text


def test_a_reopened_fix_is_deployed_again_before_it_is_resolved(trial):
    ticket = _fault(trial)
    _answer(trial, ticket, at=REPORTED + timedelta(hours=1), size="large")
    trial_fix_deployed(ticket=ticket, user=trial["agent"], deployment="2.3.1", tested=True)
    ticket_resolve(ticket_id=ticket.pk, user=trial["agent"], report=REPORT)
    ticket_transition(ticket_id=ticket.pk, name="reopen", user=trial["contact"].user, note="仍超时")
    with pytest.raises(TransitionConflict):  # the fix that did not hold is no deployment
        ticket_resolve(ticket_id=ticket.pk, user=trial["agent"], report=REPORT)
    trial_fix_deployed(ticket=ticket, user=trial["agent"], deployment="2.3.2", tested=True)
    assert TicketEvent.objects.filter(ticket=ticket, data__deployment_withdrawn="2.3.1").exists()
    ticket_resolve(ticket_id=ticket.pk, user=trial["agent"], report=REPORT)
    # The large problem's two days still hold after the reopen.
    assert _clock(ticket, "resolution").budget_seconds == 48 * 3600


def test_an_uncovered_call_owes_no_trial_answer(trial):
    elsewhere = SiteFactory(customer=trial["contract"].customer, name="外围井场")
    ticket = ticket_create(
        created_by=trial["agent"],
        kind="fault",
        priority="P2",
        summary="合同外站点",
        channel="phone",
        customer=trial["contract"].customer,
        site=elsewhere,
    )
    assert not ticket.covered
    with pytest.raises(TransitionConflict):
        trial_answer_save(ticket=ticket, user=trial["agent"], cause="x")


def test_the_rule_owed_when_reported_stays_owed(trial):
    ticket = _fault(trial)
    contract = trial["contract"]
    contract.trial_small_fix_hours = contract.trial_large_fix_hours = None
    contract.save()
    ticket_change_priority(ticket_id=ticket.pk, user=trial["manager"], priority="P3")
    _answer(trial, ticket, at=REPORTED + timedelta(hours=1), size="small")
    assert _clock(ticket, "resolution").target_at == shanghai(2026, 11, 28, 9, 0)


def test_the_customer_reads_the_answer_once_given_and_a_date_is_kept_to_the_minute(trial):
    ticket = _fault(trial)
    url = reverse("api-trial-answer", args=[ticket.pk])
    agent, customer = APIClient(), APIClient()
    agent.force_authenticate(trial["agent"])
    customer.force_authenticate(trial["contact"].user)
    agent.patch(url, {"cause": "内部草稿：怀疑索引"}, format="json")
    draft = customer.get(url).json()
    assert draft["cause"] == "" and draft["complete"] is False
    due = (REPORTED + timedelta(hours=20, seconds=45)).isoformat()
    agent.patch(url, {"fix_due_at": due, "size": "small"}, format="json")
    given = customer.get(url).json()
    assert given["cause"] == "内部草稿：怀疑索引" and given["answered_by"] is None
    record = TrialAnswer.objects.get(ticket=ticket)
    assert record.fix_due_at == REPORTED + timedelta(hours=20)
    # The page sends the minute back: no "fix date moved" for an unchanged date.
    events = TicketEvent.objects.filter(ticket=ticket).count()
    trial_answer_save(
        ticket=ticket,
        user=trial["agent"],
        fix_due_at=REPORTED + timedelta(hours=20),
        now=REPORTED + timedelta(hours=2),
    )
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_the_contract_hours_have_a_ceiling(trial):
    contract = trial["contract"]
    contract.trial_small_fix_hours, contract.trial_large_fix_hours = 24, 100_000_000
    with pytest.raises(ValidationError):
        contract.full_clean()
