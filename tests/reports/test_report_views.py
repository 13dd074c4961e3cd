"""The reports page, report jobs and downloads, through HTTP and the services behind them."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from reports.models import ReportJob
from reports.rendering import report_job_request, report_job_run, report_jobs_run_queued
from servicedesk.celery import app
from tests.reports import test_documents as documents_tests
from tests.reports.test_documents import pdf_text, read_csv

# The world of the ticket tests and the report data of the document tests.
branch = documents_tests.branch
staff = documents_tests.staff
business_calendar = documents_tests.business_calendar
world = documents_tests.world
inspected = documents_tests.inspected
month_tickets = documents_tests.month_tickets
repaired = documents_tests.repaired

pytestmark = pytest.mark.django_db
HOME = "/reports/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(client, user):
    """A client logged in as `user`, reading the pages in English."""
    from django.conf import settings

    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def status_of(client, url: str) -> int:
    """GET a download; files come back whole, so nothing is left open."""
    return client.get(url).status_code


def test_reports_page_for_managers_only(client, world):
    assert reverse("reports:home") == HOME
    assert client.get(HOME).status_code == 302  # to the login page
    assert client_for(client, world["engineer"]).get(HOME).status_code == 403
    client.logout()
    assert client_for(client, world["customer_user"]).get(HOME).status_code == 403
    client.logout()
    page = client_for(client, world["manager"]).get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Daily repair report" in html and "Monthly SLA report" in html
    assert 'http-equiv="refresh"' not in html


def test_daily_repair_downloads_at_once_as_csv_and_pdf(client, world, repaired, tmp_path):
    manager = client_for(client, world["manager"])
    response = manager.post(
        HOME, {"report": "daily_repair", "daily-day": "2026-11-10", "daily-format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="repairs-2026-11-10.csv"' in response["Content-Disposition"]
    rows = read_csv(response.content)
    assert [r[1] for r in rows[1:]] == [t.number for t in repaired]
    response = manager.post(
        HOME, {"report": "daily_repair", "daily-day": "2026-11-10", "daily-format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert "控制器电源模块损坏" in pdf_text(response.content, tmp_path)
    assert not ReportJob.objects.exists()  # short reports need no job


@pytest.mark.parametrize(
    "data, field",
    [
        ({"report": "daily_repair", "daily-day": "2026-13-40", "daily-format": "pdf"}, "daily-day"),
        ({"report": "daily_repair", "daily-day": "2026-11-10", "daily-format": "doc"}, "format"),
        (
            {"report": "sla_month", "sla-year": "2026", "sla-month": "13", "sla-format": "pdf"},
            "month",
        ),
        ({"report": "sla_month", "sla-year": "abc", "sla-month": "1", "sla-format": "pdf"}, "year"),
        ({"report": "satisfaction_year", "satisfaction-year": ""}, "year"),
        ({"report": "nonsense"}, None),
        ({}, None),
    ],
)
def test_bad_parameters_give_errors_in_the_page(client, world, data, field):
    response = client_for(client, world["manager"]).post(HOME, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist"' in html or 'class="error"' in html
    assert not ReportJob.objects.exists()


def test_contract_of_another_customer_is_refused(client, world):
    response = client_for(client, world["manager"]).post(
        HOME,
        {
            "report": "sla_month",
            "sla-year": "2026",
            "sla-month": "11",
            "sla-customer": world["customer"].pk,
            "sla-contract": world["other_contract"].pk,
            "sla-format": "pdf",
        },
    )
    assert response.status_code == 400
    assert "another customer" in response.content.decode()


def test_monthly_sla_job_goes_queued_to_done_and_downloads(
    client, world, month_tickets, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(app, "send_task", lambda name, args, **kw: queued.append(args))
    manager = client_for(client, world["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            HOME,
            {"report": "sla_month", "sla-year": "2026", "sla-month": "11", "sla-format": "csv"},
        )
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert (job.kind, job.format, job.status, job.progress) == ("sla_month", "csv", "queued", 0)
    assert job.params == {"year": 2026, "month": 11, "customer": None, "contract": None}
    assert queued == [(job.pk,)]
    page = manager.get(HOME)
    assert 'http-equiv="refresh"' in page.content.decode() and page["Refresh"] == "3"

    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.file.name.endswith(".csv") and job.started_at and job.finished_at
    page = manager.get(HOME).content.decode()
    assert 'http-equiv="refresh"' not in page
    download = reverse("reports:job_download", args=[job.pk])
    assert download in page
    response = manager.get(download)
    assert response.status_code == 200
    rows = read_csv(response.content)
    assert [r[0] for r in rows[1:]] == [t.number for t in month_tickets]


def test_satisfaction_job_renders_a_pdf(world, tmp_path):
    job = report_job_request(
        user=world["leader"], kind="satisfaction_year", format="pdf", params={"year": "2026"}
    )
    assert job.params == {"year": 2026, "customer": None}
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    with job.file.open("rb") as stored:
        assert "Satisfaction analysis 2026" in pdf_text(stored.read(), tmp_path)


def test_a_job_that_fails_records_the_error_and_never_raises(world, monkeypatch):
    job = report_job_request(
        user=world["manager"], kind="sla_month", format="pdf", params={"year": 2026, "month": 11}
    )

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reports.documents.sla_month.sla_month_pdf", broken)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error and not job.file
    # Running it again leaves a finished job alone.
    report_job_run(job_id=job.pk)
    assert ReportJob.objects.get().status == "failed"


def test_with_the_broker_down_the_job_stays_queued_and_the_command_renders_it(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    def down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(app, "send_task", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(
            user=world["manager"], kind="daily_repair", format="csv", params={"day": "2026-11-10"}
        )
    job.refresh_from_db()
    assert job.status == "queued"
    call_command("render_reports")
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    assert report_jobs_run_queued() == 0


def test_permissions_of_job_requests(world, inspected):
    with pytest.raises(PermissionDenied):
        report_job_request(
            user=world["engineer"],
            kind="sla_month",
            format="pdf",
            params={"year": 2026, "month": 1},
        )
    with pytest.raises(PermissionDenied):
        report_job_request(
            user=world["other_customer_user"],
            kind="inspection",
            format="pdf",
            params={"inspection": inspected.pk},
        )
    own = report_job_request(
        user=world["customer_user"],
        kind="inspection",
        format="pdf",
        params={"inspection": inspected.pk},
    )
    assert own.status == "queued"
    with pytest.raises(ValidationError):
        report_job_request(user=world["manager"], kind="inspection", format="csv", params={})
    with pytest.raises(ValidationError):
        report_job_request(
            user=world["manager"], kind="sla_month", format="pdf", params={"year": 2026}
        )


def test_downloads_only_for_the_requester_or_a_manager(client, world):
    job = report_job_request(
        user=world["leader"], kind="daily_repair", format="csv", params={"day": "2026-11-10"}
    )
    report_job_run(job_id=job.pk)
    url = reverse("reports:job_download", args=[job.pk])
    assert status_of(client_for(client, world["leader"]), url) == 200
    client.logout()
    assert status_of(client_for(client, world["manager"]), url) == 200
    client.logout()
    assert client_for(client, world["engineer"]).get(url).status_code == 404
    client.logout()
    assert client_for(client, world["customer_user"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_inspection_report_for_its_customer_and_staff_only(client, world, inspected, tmp_path):
    url = reverse("reports:inspection_pdf", args=[inspected.pk])
    # The address leads to the inspections app's guarded endpoint.
    response = client_for(client, world["customer_user"]).get(url, follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "东江水务集团有限公司" in text and "Items checked: 6 of 6" in text
    client.logout()
    other = client_for(client, world["other_customer_user"])
    assert other.get(url, follow=True).status_code == 404
    client.logout()
    assert client_for(client, world["engineer"]).get(url, follow=True).status_code == 200
    client.logout()
    missing = reverse("reports:inspection_pdf", args=[inspected.pk + 1000])
    assert client_for(client, world["manager"]).get(missing, follow=True).status_code == 404


def test_a_stale_queued_job_can_be_rendered_from_the_page(client, world):
    job = report_job_request(
        user=world["manager"], kind="daily_repair", format="pdf", params={"day": "2026-11-10"}
    )
    ReportJob.objects.filter(pk=job.pk).update(created_at=job.created_at.replace(year=2025))
    manager = client_for(client, world["manager"])
    page = manager.get(HOME).content.decode()
    run = reverse("reports:job_run", args=[job.pk])
    assert run in page
    assert manager.post(run).status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    assert date.fromisoformat(job.params["day"]) == date(2026, 11, 10)


def test_a_job_whose_worker_died_can_be_rendered_again(world):
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import ReportJob
    from reports.rendering import report_jobs_run_queued

    job = ReportJob.objects.create(
        kind="daily_repair",
        format="csv",
        params={"day": "2026-11-24"},
        requested_by=world["manager"],
        status="running",
        started_at=timezone.now() - timedelta(hours=1),
    )
    assert report_jobs_run_queued() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.file


def test_far_away_days_are_a_form_error(client, world):
    manager = client_for(client, world["manager"])
    data = {"report": "daily_repair", "daily-day": "0001-01-01", "daily-format": "pdf"}
    assert manager.post(HOME, data).status_code == 400


def test_my_reports_say_their_parameters_in_words(client, world):
    from django.conf import settings

    contract = world["contract"]
    manager = world["manager"]
    common = {"requested_by": manager, "status": ReportJob.Status.DONE}
    month = ReportJob.objects.create(
        kind="sla_month",
        format="csv",
        params={"year": 2026, "month": 11, "customer": contract.customer_id, "contract": None},
        **common,
    )
    ReportJob.objects.create(
        kind="sla_month",
        format="pdf",
        params={"year": 2026, "month": 3, "customer": None, "contract": contract.pk},
        **common,
    )
    ReportJob.objects.create(
        kind="satisfaction_year", params={"year": 2025, "customer": None}, **common
    )
    english = client_for(client, manager).get(HOME).content.decode()
    row = english.split(f'data-testid="job-{month.pk}"')[1].split("</tr>")[0]
    assert "November 2026 · 东江水务集团有限公司" in row
    assert f"March 2026 · {contract.number}" in english
    assert "Year 2025 · All customers" in english
    assert "year 2026" not in english and "month 11" not in english
    assert f"customer {contract.customer_id}" not in english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(HOME).content.decode()
    assert "2026年11月 · 东江水务集团有限公司" in chinese
    assert "2025年 · 全部客户" in chinese
