"""Complaints reach the management group (seed 004, 7.1.2.2): routed to the contract's
service manager, answered within the contract's hours, the outcome recorded, counted in the
month's complaints report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import TransitionConflict, TransitionForbidden
from tests.tickets.conftest import shanghai
from tickets.complaints import complaint_answer, complaints_month
from tickets.models import ComplaintAnswer, Notification, State, Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db

ANSWER = {
    "finding": "工程师未按约定时间到场",
    "justified": True,
    "action": "调整排班，增加一名值班工程师",
    "answer": "您好，情况属实，我们已调整排班，今后按约定时间到场。",
}


def _complaint(world, *, at=None, **extra):
    at = at or timezone.now()
    return ticket_create(
        created_by=world["agent"],
        kind="complaint",
        priority="P3",
        summary="工程师迟到两小时",
        channel="phone",
        customer=world["customer"],
        contact=world["contact"],
        reported_at=at,
        now=at,
        **extra,
    )


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_complaint_goes_to_the_service_manager_with_its_own_answer_clock(world):
    reported = shanghai(2026, 11, 27, 9, 0)
    complaint = _complaint(world, at=reported)
    told = Notification.objects.get(key=f"complaint:{complaint.pk}:routed")
    assert told.user == world["manager"]  # the contract's service manager
    answer = complaint.clocks.get(kind="answer")
    # The contract's 24 hours, in calendar time.
    assert answer.target_at == reported + timedelta(hours=24)
    assert complaint.events.filter(data__complaint__routed_to=[world["manager"].pk]).exists()
    # A fault has no answer clock.
    fault = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P3",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    assert not fault.clocks.filter(kind="answer").exists()


def test_the_answer_stops_the_clock_reaches_the_customer_and_then_it_may_be_resolved(world):
    complaint = _complaint(world)
    ticket_transition(ticket_id=complaint.pk, name="acknowledge", user=world["agent"])
    with pytest.raises(TransitionConflict):  # not before the manager answered
        ticket_transition(
            ticket_id=complaint.pk, name="resolve", user=world["manager"], fault_report={}
        )
    for user in (world["agent"], world["engineer"], world["customer_user"]):
        with pytest.raises(TransitionForbidden):
            complaint_answer(ticket=complaint, user=user, **ANSWER)
    record = complaint_answer(ticket=complaint, user=world["manager"], **ANSWER)
    assert record.justified and record.answered_by == world["manager"]
    assert complaint.clocks.get(kind="answer").status == "met"
    reply = complaint.comments.get()
    assert (reply.body, reply.internal) == (ANSWER["answer"], False)
    assert Notification.objects.filter(
        user=world["customer_user"], key=f"complaint:{complaint.pk}:answered"
    ).exists()
    with pytest.raises(TransitionConflict):
        complaint_answer(ticket=complaint, user=world["manager"], **ANSWER)
    ticket_resolve(ticket_id=complaint.pk, user=world["manager"], report={"solution": "已处理"})
    assert Ticket.objects.get(pk=complaint.pk).state == State.RESOLVED


def test_an_answer_after_the_hours_is_late_in_the_months_figures(world):
    reported = shanghai(2026, 11, 3, 9, 0)
    late = _complaint(world, at=reported)
    complaint_answer(
        ticket=late,
        user=world["manager"],
        now=reported + timedelta(hours=30),
        **{**ANSWER, "justified": False},
    )
    on_time = _complaint(world, at=shanghai(2026, 11, 20, 9, 0))
    complaint_answer(
        ticket=on_time, user=world["manager"], now=shanghai(2026, 11, 20, 15, 0), **ANSWER
    )
    _complaint(world, at=shanghai(2026, 12, 1, 9, 0))  # next month
    rows = complaints_month(shanghai(2026, 11, 15, 0, 0).date())
    assert [(r.ticket.pk, r.on_time, r.answer.justified) for r in rows] == [
        (late.pk, False, False),
        (on_time.pk, True, True),
    ]


def test_the_pages_the_month_report_and_the_csv(world, english):
    complaint = _complaint(world)
    english.force_login(world["manager"])
    page = english.get(f"/desk/tickets/{complaint.number}/").content.decode()
    assert 'data-testid="complaint-form"' in page
    bad = english.post(f"/desk/tickets/{complaint.number}/complaint/", {**ANSWER, "answer": ""})
    assert bad.status_code == 400 and ANSWER["finding"] in bad.content.decode()
    english.post(f"/desk/tickets/{complaint.number}/complaint/", {**ANSWER, "justified": "yes"})
    assert ComplaintAnswer.objects.filter(ticket=complaint).exists()
    month = timezone.localtime(complaint.reported_at).strftime("%Y-%m")
    report = english.get(f"/reports/complaints/?month={month}").content.decode()
    assert complaint.number in report and "1 complaint: 1 answered, 1 in time" in report
    csv = english.get(f"/reports/complaints/?month={month}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert complaint.number in csv.content.decode("utf-8-sig")
    assert english.get("/reports/complaints/?month=9999-99").status_code == 400
    assert english.get("/reports/complaints/?month=%00").status_code == 400
    english.force_login(world["agent"])
    assert english.get("/reports/complaints/").status_code == 403
    english.force_login(world["customer_user"])
    portal = english.get(f"/portal/tickets/{complaint.number}/").content.decode()
    assert ANSWER["answer"] in portal and ANSWER["finding"] not in portal


def test_the_api_answers_once_and_hides_the_finding_from_the_customer(world, api):
    complaint = _complaint(world)
    url = f"/api/tickets/{complaint.pk}/complaint/"
    assert api(world["customer_user"]).get(url).json()["answered"] is False
    assert api(world["other_customer_user"]).get(url).status_code == 404
    assert api(world["customer_user"]).post(url, ANSWER).status_code == 403
    assert api(world["manager"]).post(url, {**ANSWER, "justified": "maybe"}).status_code == 400
    answered = api(world["manager"]).post(url, ANSWER, format="json").json()
    assert answered["answered"] and answered["answer_clock"] == "met"
    seen = api(world["customer_user"]).get(url).json()
    assert seen["answer"] == ANSWER["answer"] and seen["finding"] is None
    assert api(world["manager"]).post(url, ANSWER, format="json").status_code == 409
    assert Ticket.objects.get(pk=complaint.pk).state != State.RESOLVED
