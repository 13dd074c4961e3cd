"""A written report issued to a customer, in headless Chromium at desktop and phone sizes: the
manager issues this year's satisfaction analysis of 东江水务 from the reports page (replacing
the demo's), the worker renders it, the customer opens Reports from the menu and downloads
the PDF."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Customer
from reports.models import IssuedReport
from reports.rendering import report_job_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_manager_issues_and_the_customer_downloads_it(
    page, live_server, demo, login, shoot, viewport
):
    customer = Customer.objects.get(name="东江水务集团有限公司")
    year = timezone.localdate().year
    login(page, "manager")
    page.goto(f"{live_server.url}/reports/")
    form = page.get_by_test_id("issue-form")
    if viewport == "phone":
        form.locator("summary").click()
    form.locator("select[name=issue-customer]").select_option(str(customer.pk))
    form.locator("input[name=issue-year]").fill(str(year))
    form.get_by_test_id("issue-submit").click()
    issue = IssuedReport.objects.filter(customer=customer, year=year).latest("version")
    expect(page.get_by_test_id(f"issued-{issue.pk}")).to_contain_text(customer.name)
    report_job_run(job_id=issue.job_id)  # what the worker does
    shoot(page, "issued-report-manager")

    login(page, "customer")
    if viewport == "phone":
        page.get_by_test_id("menu-button").click()
    page.get_by_test_id("nav-reports").click()
    row = page.get_by_test_id(f"issued-report-{issue.pk}")
    link = row.get_by_test_id("issued-download")
    expect(link).to_be_visible()
    # The demo's earlier issue of this year is replaced: one row for the year.
    expect(page.get_by_test_id("issued-reports").locator("tbody tr")).to_have_count(1)
    shoot(page, "issued-report-customer")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == f"satisfaction-{year}-v{issue.version}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    answer = page.request.get(live_server.url + link.get_attribute("href"))
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
