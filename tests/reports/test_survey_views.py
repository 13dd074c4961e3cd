"""Satisfaction pages through the Django test client: who may see what, answering in the portal,
recording a return visit at the desk."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from reports.documents.satisfaction import satisfaction_data
from reports.issued import issued_report_issue
from reports.models import Question, Questionnaire, ReturnVisit, Survey
from reports.rendering import report_job_run
from reports.surveys import surveys_send_due
from tests.tickets import conftest as tickets_conftest
from tickets.models import Ticket
from tickets.services.creation import ticket_create

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(db):
    questionnaire = Questionnaire.objects.create(name="Opinion form", code="half-yearly")
    Question.objects.create(questionnaire=questionnaire, order=1, text="Response", kind="rating")
    Question.objects.create(
        questionnaire=questionnaire, order=2, text="Suggestions", kind="text", required=False
    )
    return questionnaire


@pytest.fixture
def surveys(world, questionnaire):
    surveys_send_due(now=timezone.now())
    return {
        "own": Survey.objects.get(contact__user=world["customer_user"]),
        "other": Survey.objects.get(contact__user=world["other_customer_user"]),
    }


def _login(client, user):
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _closed_ticket(world):
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P2",
        summary="Gateway offline",
        channel="phone",
    )
    Ticket.objects.filter(pk=ticket.pk).update(state="closed", closed_at=timezone.now())
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize("role", ["agent", "manager", "leader"])
def test_staff_see_the_overview_customers_and_engineers_do_not(client, world, surveys, role):
    page = _login(client, world[role]).get(reverse("surveys:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Response rate" in text and "DJ-2024-017" in text
    assert _login(client, world[role]).get(reverse("surveys:preview")).status_code == 200


@pytest.mark.parametrize("user_key", ["customer_user", "engineer"])
def test_staff_pages_are_forbidden_to_customers_and_engineers(client, world, surveys, user_key):
    _login(client, world[user_key])
    assert client.get(reverse("surveys:home")).status_code == 403
    assert client.get(reverse("surveys:preview")).status_code == 403
    ticket = _closed_ticket(world)
    url = reverse("surveys:return_visit", args=[ticket.number])
    assert client.post(url, {f"{ticket.number}-reached": "on"}).status_code == 403
    assert not ReturnVisit.objects.exists()


@pytest.mark.parametrize("user_key", ["agent", "manager", "engineer"])
def test_the_portal_is_forbidden_to_staff(client, world, surveys, user_key):
    _login(client, world[user_key])
    assert client.get(reverse("surveys:portal")).status_code == 403
    assert client.get(reverse("surveys:answer", args=[surveys["own"].pk])).status_code == 403


def test_a_customer_never_sees_another_organisations_survey(client, world, surveys):
    _login(client, world["customer_user"])
    listing = client.get(reverse("surveys:portal")).content.decode()
    assert f'data-testid="survey-{surveys["own"].pk}"' in listing
    assert f'data-testid="survey-{surveys["other"].pk}"' not in listing
    url = reverse("surveys:answer", args=[surveys["other"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_answering_in_the_portal_shows_errors_then_reads_only(
    client, world, surveys, questionnaire
):
    rating, text = questionnaire.questions.order_by("order")
    survey = surveys["own"]
    url = reverse("surveys:answer", args=[survey.pk])
    _login(client, world["customer_user"])
    page = client.get(url).content.decode()
    assert 'data-testid="survey-form"' in page
    assert page.count(f'name="question_{rating.pk}"') == 5

    missing = client.post(url, {f"question_{text.pk}": "Good"})
    assert missing.status_code == 200
    assert "Please choose 1 to 5." in missing.content.decode()
    six = client.post(url, {f"question_{rating.pk}": "6"})
    assert "Choose a rating from 1 to 5." in six.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None

    done = client.post(url, {f"question_{rating.pk}": "4", f"question_{text.pk}": "Keep it up"})
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.answered_at is not None
    page = client.get(url).content.decode()
    assert 'data-testid="survey-form"' not in page
    assert "Keep it up" in page and "4 of 5" in page
    again = client.post(url, {f"question_{rating.pk}": "1"})
    assert again.status_code == 302
    assert survey.answers.get(question=rating).rating == 4


def test_the_desk_records_a_return_visit(client, world, surveys):
    ticket = _closed_ticket(world)
    _login(client, world["agent"])
    page = client.get(reverse("surveys:home")).content.decode()
    assert f'data-testid="call-{ticket.number}"' in page
    url = reverse("surveys:return_visit", args=[ticket.number])
    refused = client.post(url, {f"{ticket.number}-reached": "on"}, follow=True)
    assert "score" in refused.content.decode().lower()
    assert not ReturnVisit.objects.exists()
    client.post(
        url,
        {
            f"{ticket.number}-reached": "on",
            f"{ticket.number}-score": "5",
            f"{ticket.number}-answers": "All good",
            f"{ticket.number}-follow_up": "",
        },
    )
    visit = ReturnVisit.objects.get()
    assert (visit.ticket, visit.agent, visit.score, visit.answers) == (
        ticket,
        world["agent"],
        5,
        "All good",
    )
    assert visit.called_at > timezone.now() - timedelta(minutes=1)
    page = client.get(reverse("surveys:home")).content.decode()
    assert f'data-testid="call-{ticket.number}"' not in page


def test_the_contact_downloads_their_organisations_yearly_analysis_once_issued(
    client, world, surveys, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    year = surveys["own"].period_start.year
    _login(client, world["customer_user"])
    # Nothing issued yet: no analysis to download (the written report is issued by us).
    page = client.get(reverse("surveys:portal")).content.decode()
    assert 'data-testid="yearly-reports"' not in page
    assert client.get(reverse("surveys:portal_report", args=[year])).status_code == 404
    issue = issued_report_issue(user=world["manager"], customer=world["customer"], year=year)
    report_job_run(job_id=issue.job_id)
    page = client.get(reverse("surveys:portal")).content.decode()
    assert f'href="{reverse("portal_reports:download", args=[issue.pk])}"' in page
    response = client.get(reverse("surveys:portal_report", args=[year]), follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"satisfaction-{year}-v1.pdf" in response["Content-Disposition"]
    assert client.get(reverse("surveys:portal_report", args=[year - 5])).status_code == 404
    _login(client, world["agent"])
    assert client.get(reverse("surveys:portal_report", args=[year])).status_code == 403


def test_the_yearly_analysis_of_one_customer_names_no_other(world, surveys):
    year = surveys["own"].period_start.year
    data = satisfaction_data(year=year, customer=world["customer"])
    assert [c["name"] for c in data["customers"]] == [world["customer"].name]
