"""Satisfaction services: sending the half-yearly questionnaire, answering it, return visits,
and the figures of the yearly analysis, on hand-computed data."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.roles import Role
from contracts.phases import AfterWarranty
from reports.models import Question, Questionnaire, ReturnVisit, Survey
from reports.satisfaction import satisfaction_year
from reports.surveys import (
    half_year_of,
    return_visit_record,
    survey_answer,
    surveys_send_due,
)
from tests.factories import ContactFactory, ContractFactory, UserFactory
from tests.tickets import conftest as tickets_conftest
from tests.tickets.conftest import shanghai
from tickets.models import Notification, Rating, Ticket
from tickets.services.creation import ticket_create

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 11, 25, 9, 0)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def questionnaire(db):
    questionnaire = Questionnaire.objects.create(name="Opinion form", code="half-yearly")
    Question.objects.create(questionnaire=questionnaire, order=1, text="Response", kind="rating")
    Question.objects.create(questionnaire=questionnaire, order=2, text="Quality", kind="rating")
    Question.objects.create(
        questionnaire=questionnaire, order=3, text="Suggestions", kind="text", required=False
    )
    return questionnaire


def _questions(questionnaire):
    return list(questionnaire.questions.order_by("order"))


def _survey_of(world, user_key="customer_user"):
    return Survey.objects.get(contact__user=world[user_key])


def _answer(survey, questionnaire, ratings, text="", when=None):
    q1, q2, q3 = _questions(questionnaire)
    return survey_answer(
        survey=survey,
        user=survey.contact.user,
        answers={q1.pk: ratings[0], q2.pk: ratings[1], q3.pk: text},
        now=when,
    )


def _closed_ticket(world, *, at=NOW, customer=None, state="closed"):
    ticket = ticket_create(
        created_by=world["agent"],
        customer=customer or world["customer"],
        site=world["site"] if customer is None else None,
        kind="fault",
        priority="P2",
        summary="Pumps not reporting",
        channel="phone",
        reported_at=at,
        now=at,
    )
    Ticket.objects.filter(pk=ticket.pk).update(state=state, closed_at=at + timedelta(hours=3))
    ticket.refresh_from_db()
    return ticket


# --- sending ------------------------------------------------------------------------------


def test_sending_creates_one_survey_per_contact_and_is_idempotent(world, questionnaire):
    assert surveys_send_due(now=NOW) == 2  # 东江水务 and 青川 contacts, both contracts in force
    survey = _survey_of(world)
    assert survey.period_start == date(2026, 7, 1)
    assert survey.period_end == date(2026, 12, 31)
    assert survey.sent_at == NOW
    assert survey.questionnaire == questionnaire
    notification = Notification.objects.get(user=world["customer_user"])
    assert f"/surveys/portal/{survey.pk}/" in notification.body
    assert surveys_send_due(now=NOW) == 0
    assert surveys_send_due(now=NOW + timedelta(days=3)) == 0
    assert Survey.objects.count() == 2
    assert Notification.objects.filter(user=world["customer_user"]).count() == 1


def test_only_contracts_in_force_and_contacts_with_a_login(world, questionnaire):
    expired = ContractFactory(
        signed_on=date(2018, 1, 1),
        final_acceptance_on=date(2018, 6, 1),
        warranty_months=12,
        after_warranty=AfterWarranty.NONE,
    )
    ContactFactory(customer=expired.customer, user=UserFactory(role=Role.CUSTOMER))
    future = ContractFactory(signed_on=date(2027, 3, 1), final_acceptance_on=None)
    ContactFactory(customer=future.customer, user=UserFactory(role=Role.CUSTOMER))
    ContactFactory(customer=world["customer"], name="No login")
    assert surveys_send_due(now=NOW) == 2
    assert set(Survey.objects.values_list("contract__number", flat=True)) == {
        "DJ-2024-017",
        "QC-2021-042",
    }
    assert not Survey.objects.filter(contact__user__isnull=True).exists()


def test_nothing_is_sent_without_an_active_questionnaire(world, questionnaire):
    Questionnaire.objects.update(is_active=False)
    assert surveys_send_due(now=NOW) == 0


def test_the_latest_version_of_the_active_questionnaire_is_sent(world, questionnaire):
    newer = Questionnaire.objects.create(name="Opinion form", code="half-yearly", version=2)
    surveys_send_due(now=NOW)
    assert set(Survey.objects.values_list("questionnaire", flat=True)) == {newer.pk}


def test_half_years_turn_at_midnight_shanghai_time(world, questionnaire):
    assert half_year_of(shanghai(2026, 6, 30, 23, 30)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert half_year_of(shanghai(2026, 7, 1, 0, 0)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert half_year_of(shanghai(2027, 1, 1, 0, 10)) == (date(2027, 1, 1), date(2027, 6, 30))
    surveys_send_due(now=shanghai(2026, 6, 30, 23, 30))  # 15:30 UTC, still June 30 there
    assert set(Survey.objects.values_list("period_start", flat=True)) == {date(2026, 1, 1)}
    assert surveys_send_due(now=shanghai(2026, 7, 1, 0, 30)) == 2
    assert set(Survey.objects.values_list("period_start", flat=True)) == {
        date(2026, 1, 1),
        date(2026, 7, 1),
    }


def test_an_unanswered_survey_is_reminded_once_after_14_days(world, questionnaire):
    surveys_send_due(now=NOW)
    answered = Survey.objects.get(contact__user=world["other_customer_user"])
    _answer(answered, questionnaire, [4, 4])
    surveys_send_due(now=NOW + timedelta(days=13, hours=23))
    assert not Survey.objects.filter(reminded_at__isnull=False).exists()
    later = NOW + timedelta(days=14)
    surveys_send_due(now=later)
    survey = _survey_of(world)
    assert survey.reminded_at == later
    answered.refresh_from_db()
    assert answered.reminded_at is None
    surveys_send_due(now=later + timedelta(days=20))
    assert Notification.objects.filter(user=world["customer_user"]).count() == 2
    assert Notification.objects.filter(user=world["other_customer_user"]).count() == 1
    assert "提醒" in Notification.objects.filter(user=world["customer_user"]).first().title


# --- answering ----------------------------------------------------------------------------


def test_answering_validates_and_works_once(world, questionnaire):
    surveys_send_due(now=NOW)
    survey = _survey_of(world)
    q1, q2, q3 = _questions(questionnaire)
    with pytest.raises(ValidationError) as missing:
        survey_answer(survey=survey, user=world["customer_user"], answers={q1.pk: 5})
    assert set(missing.value.message_dict) == {f"question_{q2.pk}"}
    with pytest.raises(ValidationError) as six:
        survey_answer(survey=survey, user=world["customer_user"], answers={q1.pk: 6, q2.pk: "0"})
    assert set(six.value.message_dict) == {f"question_{q1.pk}", f"question_{q2.pk}"}
    with pytest.raises(ValidationError):
        survey_answer(
            survey=survey, user=world["other_customer_user"], answers={q1.pk: 5, q2.pk: 5}
        )
    with pytest.raises(ValidationError):
        survey_answer(survey=survey, user=world["agent"], answers={q1.pk: 5, q2.pk: 5})
    survey.refresh_from_db()
    assert survey.answered_at is None and not survey.answers.exists()

    survey_answer(
        survey=survey,
        user=world["customer_user"],
        answers={str(q1.pk): "5", q2.pk: 4, q3.pk: "  Faster reports please "},
        now=NOW + timedelta(days=1),
    )
    survey.refresh_from_db()
    assert survey.answered_at == NOW + timedelta(days=1)
    assert {(a.question_id, a.rating, a.text) for a in survey.answers.all()} == {
        (q1.pk, 5, ""),
        (q2.pk, 4, ""),
        (q3.pk, None, "Faster reports please"),
    }
    with pytest.raises(ValidationError, match="already been answered"):
        survey_answer(survey=survey, user=world["customer_user"], answers={q1.pk: 1, q2.pk: 1})
    assert survey.answers.count() == 3


# --- return visits ------------------------------------------------------------------------


def test_return_visit_rules(world):
    ticket = _closed_ticket(world)
    visit = return_visit_record(
        ticket=ticket,
        agent=world["agent"],
        reached=True,
        score=4,
        answers="Happy",
        follow_up="Check the logs monthly",
        called_at=NOW,
    )
    assert (visit.score, visit.reached, visit.called_at) == (4, True, NOW)
    not_reached = return_visit_record(
        ticket=ticket, agent=world["manager"], reached=False, score=None, answers="", follow_up=""
    )
    assert not_reached.score is None
    for bad in [
        {"reached": True, "score": None},
        {"reached": True, "score": 6},
        {"reached": True, "score": 0},
        {"reached": False, "score": 3},
    ]:
        with pytest.raises(ValidationError) as refused:
            return_visit_record(
                ticket=ticket, agent=world["agent"], answers="", follow_up="", **bad
            )
        assert "score" in refused.value.message_dict
    for user in [world["engineer"], world["customer_user"]]:
        with pytest.raises(ValidationError):
            return_visit_record(
                ticket=ticket, agent=user, reached=True, score=5, answers="", follow_up=""
            )
    open_ticket = _closed_ticket(world, state="dispatched")
    with pytest.raises(ValidationError):
        return_visit_record(
            ticket=open_ticket,
            agent=world["agent"],
            reached=True,
            score=5,
            answers="",
            follow_up="",
        )
    for state in ["resolved", "accepted"]:
        finished = _closed_ticket(world, state=state)
        return_visit_record(
            ticket=finished, agent=world["agent"], reached=True, score=5, answers="", follow_up=""
        )
    assert ReturnVisit.objects.count() == 4


# --- the yearly analysis ------------------------------------------------------------------


def _year_data(world, questionnaire):
    """2026: 东江 answers H1 (5, 4, a comment) and H2 (3, 4); 青川 answers H1 (4, 2) and not H2.
    2025: 东江 answers H2 (3, 3); 青川 does not answer."""
    surveys_send_due(now=shanghai(2025, 8, 1, 9, 0))
    surveys_send_due(now=shanghai(2026, 2, 1, 9, 0))
    surveys_send_due(now=shanghai(2026, 8, 1, 9, 0))

    def survey(user_key, start):
        return Survey.objects.get(contact__user=world[user_key], period_start=start)

    _answer(survey("customer_user", date(2025, 7, 1)), questionnaire, [3, 3])
    _answer(
        survey("customer_user", date(2026, 1, 1)),
        questionnaire,
        [5, 4],
        text="Night response was fast",
        when=shanghai(2026, 2, 3, 10, 0),
    )
    _answer(survey("customer_user", date(2026, 7, 1)), questionnaire, [3, 4])
    _answer(survey("other_customer_user", date(2026, 1, 1)), questionnaire, [4, 2])


def test_satisfaction_year_figures(world, questionnaire):
    _year_data(world, questionnaire)
    # Ticket ratings: 5 and 3 in 2026, 4 in 2025 (by when given, Shanghai dates).
    for score, at, comment in [
        (5, shanghai(2026, 3, 1, 9, 0), "Quick fix"),
        (3, shanghai(2026, 1, 1, 0, 30), ""),
        (4, shanghai(2025, 12, 31, 23, 30), "Old"),
    ]:
        rating = Rating.objects.create(
            ticket=_closed_ticket(world),
            score=score,
            comment=comment,
            rated_by=world["customer_user"],
        )
        Rating.objects.filter(pk=rating.pk).update(created_at=at)
    ticket = _closed_ticket(world)
    return_visit_record(
        ticket=ticket,
        agent=world["agent"],
        reached=True,
        score=4,
        answers="Satisfied",
        follow_up="Add the gateway to the monthly inspection",
        called_at=shanghai(2026, 4, 2, 10, 0),
    )
    return_visit_record(
        ticket=ticket,
        agent=world["agent"],
        reached=False,
        score=None,
        called_at=shanghai(2026, 4, 1, 10, 0),
    )

    report = satisfaction_year(year=2026)
    assert report["year"] == 2026 and report["customer"] is None
    # Ratings 2026: 5,4,3,4 (东江) and 4,2 (青川) = 22 / 6.
    assert report["overall_average"] == pytest.approx(3.67)
    assert report["surveys"] == {"sent": 4, "answered": 3, "response_rate": 0.75}
    response, quality, suggestions = report["questions"]
    assert (response["text"], response["count"], response["average"]) == ("Response", 3, 4.0)
    assert response["distribution"] == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert (quality["count"], quality["average"]) == (3, pytest.approx(3.33))
    assert (response["previous_average"], response["change"]) == (3.0, 1.0)
    assert quality["previous_average"] == 3.0
    assert (suggestions["kind"], suggestions["count"], suggestions["average"]) == ("text", 1, None)
    dj, qc = report["customers"]
    assert (dj["name"], dj["sent"], dj["answered"], dj["response_rate"]) == (
        "东江水务集团有限公司",
        2,
        2,
        1.0,
    )
    assert (dj["average"], dj["answers"]) == (4.0, 4)
    assert (qc["sent"], qc["answered"], qc["response_rate"], qc["average"]) == (2, 1, 0.5, 3.0)
    assert report["ticket_ratings"] == {
        "count": 2,
        "average": 4.0,
        "distribution": {1: 0, 2: 0, 3: 1, 4: 0, 5: 1},
    }
    assert report["return_visits"] == {
        "count": 2,
        "reached": 1,
        "scored": 1,
        "average": 4.0,
        "distribution": {1: 0, 2: 0, 3: 0, 4: 1, 5: 0},
    }
    assert [(c["source"], c["date"], c["text"]) for c in report["comments"]] == [
        ("survey", date(2026, 2, 3), "Night response was fast"),
        ("rating", date(2026, 3, 1), "Quick fix"),
        ("return_visit", date(2026, 4, 2), "Satisfied"),
    ]
    assert report["comments"][0]["question"] == "Suggestions"
    assert report["comments"][1]["ticket"] and report["comments"][2]["ticket"] == ticket.number
    assert report["actions"] == [
        {
            "customer": "东江水务集团有限公司",
            "date": date(2026, 4, 2),
            "ticket": ticket.number,
            "text": "Add the gateway to the monthly inspection",
        }
    ]
    # 2025: one survey per customer (H2), one answered with 3, 3; one rating of 4.
    previous = report["previous"]
    assert previous["year"] == 2025
    assert previous["surveys"] == {"sent": 2, "answered": 1, "response_rate": 0.5}
    assert previous["overall_average"] == 3.0
    assert previous["ticket_ratings"]["average"] == 4.0
    assert report["trend"] == {
        "overall_average": pytest.approx(0.67),
        "response_rate": 0.25,
        "ticket_rating_average": 0.0,
        "return_visit_average": None,
    }


def test_satisfaction_year_for_one_customer(world, questionnaire):
    _year_data(world, questionnaire)
    report = satisfaction_year(year=2026, customer=world["customer"])
    assert report["customer"] == {"id": world["customer"].pk, "name": "东江水务集团有限公司"}
    assert report["surveys"] == {"sent": 2, "answered": 2, "response_rate": 1.0}
    assert report["overall_average"] == 4.0
    assert [c["name"] for c in report["customers"]] == ["东江水务集团有限公司"]
    assert report["trend"]["overall_average"] == 1.0
    empty = satisfaction_year(year=2030)
    assert empty["surveys"] == {"sent": 0, "answered": 0, "response_rate": None}
    assert empty["overall_average"] is None and empty["questions"] == []


def test_satisfaction_year_costs_the_same_queries_for_3_and_15_surveys(world, questionnaire):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            satisfaction_year(year=2026)
        return len(captured.captured_queries)

    def add_surveys(n):
        for _ in range(n):
            contract = ContractFactory()
            ContactFactory(customer=contract.customer, user=UserFactory(role=Role.CUSTOMER))
        Survey.objects.all().delete()
        surveys_send_due(now=NOW)
        for survey in Survey.objects.select_related("contact__user"):
            _answer(survey, questionnaire, [4, 5], text="ok")

    add_surveys(1)  # with the world's two: 3 surveys
    assert Survey.objects.count() == 3
    few = count()
    add_surveys(12)
    assert Survey.objects.count() == 15
    many = count()
    assert few == many


# --- the demo and the admin ---------------------------------------------------------------


@pytest.mark.parametrize("today", [date(2026, 11, 25), date(2031, 2, 28)])
def test_the_demo_has_answered_surveys_and_a_return_visit_and_loads_twice(today):
    from servicedesk.demo import demo_load

    def counts():
        return (
            Questionnaire.objects.count(),
            Question.objects.count(),
            Survey.objects.count(),
            Notification.objects.count(),
            ReturnVisit.objects.count(),
            Rating.objects.count(),
        )

    demo_load(today=today)
    first = counts()
    demo_load(today=today)
    assert counts() == first
    questionnaire = Questionnaire.objects.get(code="half-yearly", version=1)
    assert questionnaire.name == "维护工作客户意见征询表"
    assert questionnaire.questions.count() == 6
    assert Survey.objects.filter(answered_at__isnull=False).exists()
    assert Survey.objects.filter(
        answered_at__isnull=True, contact__user__username="customer"
    ).exists()
    assert ReturnVisit.objects.exists()
    answered = Survey.objects.filter(answered_at__isnull=False).first()
    report = satisfaction_year(year=answered.period_start.year)
    assert report["overall_average"] is not None
    assert report["comments"]


def test_the_satisfaction_admin_pages_load(client):
    from django.urls import reverse

    from accounts.models import User
    from servicedesk.demo import demo_load

    demo_load(today=date(2026, 11, 25))
    client.force_login(User.objects.get(username="admin"))
    for model in [Questionnaire, Survey, ReturnVisit]:
        name = model._meta.model_name
        assert client.get(reverse(f"admin:reports_{name}_changelist")).status_code == 200
        change = reverse(f"admin:reports_{name}_change", args=[model.objects.first().pk])
        assert client.get(change).status_code == 200
    assert client.get(reverse("admin:reports_questionnaire_add")).status_code == 200
    assert (
        client.get(reverse("admin:reports_survey_changelist"), {"answered": "no"}).status_code
        == 200
    )


def test_a_new_questionnaire_version_does_not_ask_the_same_half_year_again(world):
    from reports.models import Question, Questionnaire, Survey
    from reports.surveys import surveys_send_due
    from tests.tickets.conftest import shanghai

    first = Questionnaire.objects.create(name="意见征询表", code="hy", version=1)
    Question.objects.create(questionnaire=first, text="响应及时性", kind="rating")
    now = shanghai(2026, 3, 2, 9, 0)
    sent = surveys_send_due(now=now)
    assert sent > 0
    second = Questionnaire.objects.create(name="意见征询表", code="hy", version=2)
    Question.objects.create(questionnaire=second, text="到场及时性", kind="rating")
    assert surveys_send_due(now=now) == 0
    assert Survey.objects.filter(contact=world["contact"]).count() == 1
