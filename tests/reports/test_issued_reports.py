"""Reports issued to a customer (提交书面报告, seed 002, 4.5.4): a manager issues the yearly
satisfaction analysis of one customer, the worker renders it, the customer's contacts are told
and download their own in the portal; nobody sees another customer's."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reports.issued import issued_report_issue
from reports.models import IssuedReport, ReportJob
from reports.rendering import report_job_run
from reports.selectors import issued_reports_visible_to
from tests.reports import test_documents as documents_tests
from tests.tickets import conftest as tickets_conftest
from tickets.models import Notification

branch = documents_tests.branch
staff = documents_tests.staff
business_calendar = documents_tests.business_calendar
world = documents_tests.world
api = tickets_conftest.api

pytestmark = pytest.mark.django_db
PORTAL = "/portal/reports/"
API = "/api/reports/issued/"
YEAR = 2025


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _issue(world, *, customer=None, year=YEAR, user=None) -> IssuedReport:
    return issued_report_issue(
        user=user or world["manager"], customer=customer or world["customer"], year=year
    )


def _done(issue: IssuedReport) -> IssuedReport:
    """As if the worker had rendered it (a real render takes a second; one test does it)."""
    job = issue.job
    job.file.save(f"satisfaction-{issue.pk}.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    job.status, job.progress, job.finished_at = ReportJob.Status.DONE, 100, timezone.now()
    job.save()
    return issue


def _failed(issue: IssuedReport) -> IssuedReport:
    ReportJob.objects.filter(pk=issue.job_id).update(status=ReportJob.Status.FAILED, error="boom")
    issue.job.refresh_from_db()
    return issue


def _other_customer(world):
    return world["other_contract"].customer


# --- the service and the rule -------------------------------------------------------------


def test_issuing_renders_the_customers_own_analysis_and_tells_its_contacts(world):
    issue = _issue(world)
    assert (issue.customer, issue.year, issue.version, issue.issued_by) == (
        world["customer"],
        YEAR,
        1,
        world["manager"],
    )
    assert issue.job.kind == ReportJob.Kind.SATISFACTION_YEAR
    assert issue.job.params == {"year": YEAR, "customer": world["customer"].pk}
    assert issue.job.status == ReportJob.Status.QUEUED
    assert not Notification.objects.filter(key__startswith="issued-report").exists()

    job = report_job_run(job_id=issue.job.pk)  # what the worker does

    assert job.status == ReportJob.Status.DONE
    with job.file.open("rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    told = Notification.objects.filter(key=f"issued-report:{issue.pk}:ready")
    assert [n.user for n in told] == [world["customer_user"]]
    assert told.get().message["params"]["link"] == PORTAL
    # Rendered again (a duplicate message): nobody is told twice.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)
    report_job_run(job_id=job.pk)
    assert told.count() == 1


@pytest.mark.parametrize("who", ["agent", "engineer", "customer_user"])
def test_only_managers_issue(world, who):
    with pytest.raises(PermissionDenied):
        _issue(world, user=world[who])
    assert not IssuedReport.objects.exists() and not ReportJob.objects.exists()


def test_the_leadership_issues_too(world):
    assert _issue(world, user=world["leader"]).issued_by == world["leader"]


@pytest.mark.parametrize(
    ("year", "customer", "fields"),
    [
        (1999, None, {"year"}),
        ("next", None, {"year"}),
        ("abc", None, {"year"}),
        ("", None, {"year"}),
        (YEAR, 999999, {"customer"}),
        (YEAR, "x", {"customer"}),
        (3000, "", {"year", "customer"}),
    ],
)
def test_a_wrong_year_or_customer_is_refused_by_field(world, year, customer, fields):
    if year == "next":
        year = timezone.localdate().year + 1
    with pytest.raises(ValidationError) as refused:
        issued_report_issue(
            user=world["manager"],
            customer=world["customer"] if customer is None else customer,
            year=year,
        )
    assert set(refused.value.message_dict) == fields
    assert not IssuedReport.objects.exists()


def test_issuing_again_replaces_the_earlier_version_once_the_new_one_is_ready(world):
    first = _done(_issue(world))
    second = _issue(world)
    assert second.version == 2
    # The new version is being prepared: the customer keeps the one they have meanwhile.
    assert set(issued_reports_visible_to(world["customer_user"])) == {first, second}
    assert set(issued_reports_visible_to(world["manager"])) == {first, second}
    # Its render failed: the customer keeps the earlier version; staff see the failure.
    _failed(second)
    assert list(issued_reports_visible_to(world["customer_user"])) == [first]
    assert set(issued_reports_visible_to(world["leader"])) == {first, second}
    # Ready, the new version takes the earlier one's place.
    third = _done(_issue(world))
    assert third.version == 3
    assert list(issued_reports_visible_to(world["customer_user"])) == [third]
    # A version finished after a newer one was ready tells nobody.
    ReportJob.objects.filter(pk=first.job.pk).update(status=ReportJob.Status.QUEUED)
    assert report_job_run(job_id=first.job.pk).status == ReportJob.Status.DONE
    assert not Notification.objects.filter(key=f"issued-report:{first.pk}:ready").exists()


def test_each_customer_sees_its_own_reports_only(world):
    own = _issue(world)
    other = _issue(world, customer=_other_customer(world))
    assert list(issued_reports_visible_to(world["customer_user"])) == [own]
    assert list(issued_reports_visible_to(world["other_customer_user"])) == [other]
    for who in ("agent", "engineer"):
        assert not issued_reports_visible_to(world[who]).exists()
    assert set(issued_reports_visible_to(world["manager"])) == {own, other}


# --- the portal ---------------------------------------------------------------------------


def test_the_customer_finds_reports_in_the_menu_and_downloads_their_own(client, world):
    ready = _done(_issue(world))
    preparing = _issue(world, year=YEAR - 1)
    other = _done(_issue(world, customer=_other_customer(world)))
    _client(client, world["customer_user"])
    home = client.get("/portal/").content.decode()
    assert f'href="{PORTAL}"' in home

    response = client.get(PORTAL)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Yearly satisfaction analysis {YEAR}" in page
    assert f'data-testid="issued-report-{preparing.pk}"' in page
    assert "Being prepared" in page
    assert response["Refresh"]  # looks again until it is ready
    assert f'data-testid="issued-report-{other.pk}"' not in page
    assert page.index(f"issued-report-{preparing.pk}") < page.index(f"issued-report-{ready.pk}")
    download = reverse("portal_reports:download", args=[ready.pk])
    assert f'href="{download}"' in page
    assert reverse("portal_reports:download", args=[preparing.pk]) not in page

    pdf = client.get(download)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f"satisfaction-{YEAR}-v1.pdf" in pdf["Content-Disposition"]
    # Not rendered yet, another customer's, or no such report: 404.
    for pk in (preparing.pk, other.pk, other.pk + 1000):
        assert client.get(reverse("portal_reports:download", args=[pk])).status_code == 404


def test_a_failed_render_is_not_shown_to_the_customer(client, world):
    failed = _failed(_issue(world))
    page = _client(client, world["customer_user"]).get(PORTAL).content.decode()
    assert f"issued-report-{failed.pk}" not in page
    assert "No reports have been issued to you yet." in page


def test_the_portal_page_is_for_customer_contacts(client, world):
    assert client.get(PORTAL).status_code == 302
    assert _client(client, world["agent"]).get(PORTAL).status_code == 403


def test_the_portal_page_reads_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for year in range(2020, 2026):
        _done(_issue(world, year=year))
    _client(client, world["customer_user"])
    with django_assert_max_num_queries(12):
        assert client.get(PORTAL).status_code == 200


def test_the_surveys_page_links_the_issued_analysis(client, world):
    issue = _done(_issue(world))
    _client(client, world["customer_user"])
    page = client.get(reverse("surveys:portal")).content.decode()
    assert reverse("portal_reports:download", args=[issue.pk]) in page
    # The older address leads to the issued report; a year not issued is 404.
    old = client.get(reverse("surveys:portal_report", args=[YEAR]))
    assert old.status_code == 302
    assert old["Location"] == reverse("portal_reports:download", args=[issue.pk])
    assert client.get(reverse("surveys:portal_report", args=[YEAR - 3])).status_code == 404
    _client(client, world["other_customer_user"])
    assert client.get(reverse("surveys:portal_report", args=[YEAR])).status_code == 404


# --- the reports page ---------------------------------------------------------------------


def test_a_manager_issues_from_the_reports_page(client, world):
    _client(client, world["manager"])
    page = client.get("/reports/").content.decode()
    assert 'data-testid="issue-form"' in page
    response = client.post(
        "/reports/issue/", {"issue-customer": world["customer"].pk, "issue-year": YEAR}
    )
    assert response.status_code == 302 and response["Location"] == "/reports/"
    issue = IssuedReport.objects.get()
    assert (issue.customer, issue.year) == (world["customer"], YEAR)
    page = client.get("/reports/").content.decode()
    assert f'data-testid="issued-{issue.pk}"' in page
    # The issue is listed apart, not among the manager's own report jobs.
    assert f'data-testid="job-{issue.job.pk}"' not in page
    again = _done(_issue(world))
    page = client.get("/reports/").content.decode()
    assert page.count('data-testid="issued-replaced"') == 1
    assert page.index(f"issued-{again.pk}") < page.index("issued-replaced")
    _failed(again)
    _failed(issue)
    page = client.get("/reports/").content.decode()
    assert "Failed: boom" in page
    assert 'data-testid="issued-replaced"' not in page
    assert reverse("reports:job_retry", args=[issue.job.pk]) in page
    client.post(reverse("reports:job_retry", args=[issue.job.pk]))
    issue.job.refresh_from_db()
    assert issue.job.status == ReportJob.Status.QUEUED


def test_the_reports_page_refuses_a_wrong_year_with_the_form_kept(client, world):
    _client(client, world["manager"])
    response = client.post(
        "/reports/issue/", {"issue-customer": world["customer"].pk, "issue-year": 1999}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Choose a year from 2000 to {timezone.localdate().year}." in page
    assert 'value="1999"' in page
    assert not IssuedReport.objects.exists()


def test_agents_cannot_issue_from_the_page(client, world):
    _client(client, world["agent"])
    response = client.post(
        "/reports/issue/", {"issue-customer": world["customer"].pk, "issue-year": YEAR}
    )
    assert response.status_code == 403
    assert not IssuedReport.objects.exists()


# --- the API ------------------------------------------------------------------------------


def test_api_issue_list_and_download(api, world):
    manager = api(world["manager"])
    created = manager.post(API, {"customer": world["customer"].pk, "year": YEAR}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["customer"], body["year"], body["version"], body["status"]) == (
        world["customer"].pk,
        YEAR,
        1,
        "queued",
    )
    assert body["download_url"] is None
    issue = IssuedReport.objects.get(pk=body["id"])
    customer = api(world["customer_user"])
    assert customer.get(f"{API}{issue.pk}/download/").status_code == 409
    _done(issue)
    listed = customer.get(API).json()["results"]
    assert [row["id"] for row in listed] == [issue.pk]
    assert listed[0]["download_url"] == f"{API}{issue.pk}/download/"
    pdf = customer.get(listed[0]["download_url"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    other = api(world["other_customer_user"])
    assert other.get(API).json()["results"] == []
    assert other.get(f"{API}{issue.pk}/").status_code == 404
    assert other.get(f"{API}{issue.pk}/download/").status_code == 404
    assert api(world["agent"]).get(API).json()["results"] == []


@pytest.mark.parametrize("who", ["agent", "engineer", "customer_user"])
def test_api_issue_is_for_managers(api, world, who):
    response = api(world[who]).post(
        API, {"customer": world["customer"].pk, "year": YEAR}, format="json"
    )
    assert response.status_code == 403
    assert not IssuedReport.objects.exists()


def test_api_refuses_bad_input_with_field_messages(api, world):
    manager = api(world["manager"])
    manager.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    last = timezone.localdate().year
    wrong_year = manager.post(API, {"customer": world["customer"].pk, "year": last + 1})
    assert wrong_year.status_code == 400
    assert wrong_year.json() == {"year": [f"Choose a year from 2000 to {last}."]}
    unknown = manager.post(API, {"customer": 999999, "year": YEAR}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()) == ["customer"]
    missing = manager.post(API, {}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"customer", "year"}
    assert not IssuedReport.objects.exists()


def test_api_failed_issue_is_for_staff_only(api, world):
    first = _done(_issue(world))
    second = _failed(_issue(world))
    staff_rows = api(world["manager"]).get(API).json()["results"]
    assert [(r["id"], r["status"]) for r in staff_rows] == [
        (second.pk, "failed"),
        (first.pk, "done"),
    ]
    assert api(world["manager"]).get(f"{API}{second.pk}/download/").status_code == 409
    rows = api(world["customer_user"]).get(API).json()["results"]
    assert [r["id"] for r in rows] == [first.pk]


# --- the admin ----------------------------------------------------------------------------


def test_managers_read_issued_reports_in_the_admin(client, world):
    issue = _issue(world)
    _client(client, world["manager"])
    listing = client.get(reverse("admin:reports_issuedreport_changelist"))
    assert listing.status_code == 200
    assert world["customer"].name in listing.content.decode()
    change = client.get(reverse("admin:reports_issuedreport_change", args=[issue.pk]))
    assert change.status_code == 200
    assert client.get(reverse("admin:reports_issuedreport_add")).status_code == 403
