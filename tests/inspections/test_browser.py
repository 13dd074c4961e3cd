"""The engineer carries out today's weekly inspection on a phone (360×740), item by item."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.models import Inspection
from tests.images import tiny_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALUES = {"页面响应时间": "1.5", "接口响应时间": "300", "网络带宽": "100", "网络延迟": "20"}


def test_engineer_carries_out_inspection_on_phone(demo, page, live_server, login, shoot, tmp_path):
    photo = tmp_path / "backup.png"
    tiny_png(photo)
    inspection = Inspection.objects.get(contract__number="DJ-2024-017", due_on=timezone.localdate())
    login(page, "engineer")
    page.goto(f"{live_server.url}/inspections/")
    page.locator("[data-testid=my-inspection]").first.click()
    page.wait_for_url(f"**/inspections/{inspection.pk}/")
    items = page.locator("[data-testid=item]")
    count = items.count()
    assert count == 15
    expect(items.nth(0).locator("[data-testid=previous]")).to_contain_text("20")
    for index in range(count):
        card = page.locator("[data-testid=item]").nth(index)
        text = card.locator("strong").first.inner_text()
        if card.locator("input[name=passed]").count():
            card.locator("input[name=passed][value=yes]").check()
        elif card.locator("input[name=value]").count():
            card.locator("input[name=value]").fill(VALUES.get(text, "10"))
        else:
            card.locator("textarea[name=text]").fill("日志正常")
        if "(" in card.locator("label[for^=photos]").inner_text():
            card.locator("input[type=file]").set_input_files(str(photo))
        card.locator("[data-action=save-item]").click()
        page.wait_for_load_state()
        card = page.locator("[data-testid=item]").nth(index)
        expect(card.locator("[data-testid=saved], [data-testid=anomaly]")).to_be_visible()
    api = page.locator("[data-testid=item]", has_text="接口响应时间")
    expect(api.locator("[data-testid=anomaly]")).to_contain_text("%")
    expect(api.locator("[data-testid=previous]")).to_contain_text("620")
    shoot(page, "inspection-carry-out")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#summary", "系统运行正常，接口响应时间较上周明显改善。")
    page.click("[data-action=submit]")
    page.wait_for_load_state()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SUBMITTED
    shoot(page, "inspection-submitted")


def _pdf_text(path) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _sign(page) -> None:
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 50)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 50 + (step % 3) * 20)
    page.mouse.up()


def test_anomaly_rectification_approval_signed_pdf_and_survey_to_yearly_report(
    demo, page, live_server, login, shoot, tmp_path
):
    """Issue 5 end to end: what the customer finally holds are PDFs with real Chinese text."""
    from reports.models import ReportJob, Survey
    from reports.rendering import report_job_run

    inspection = Inspection.objects.get(contract__number="DJ-2024-017", due_on=timezone.localdate())
    login(page, "engineer")
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    for index in range(page.locator("[data-testid=item]").count()):
        card = page.locator("[data-testid=item]").nth(index)
        text = card.locator("strong").first.inner_text()
        if card.locator("input[name=passed]").count():
            card.locator("input[name=passed][value=yes]").check()
        elif card.locator("input[name=value]").count():
            # The bandwidth is far below its 50 Mbps minimum: an anomaly.
            value = "12" if text == "网络带宽" else VALUES.get(text, "10")
            card.locator("input[name=value]").fill(value)
        else:
            card.locator("textarea[name=text]").fill("日志正常")
        if "(" in card.locator("label[for^=photos]").inner_text():
            photo = tmp_path / f"p{index}.png"
            tiny_png(photo)
            card.locator("input[type=file]").set_input_files(str(photo))
        card.locator("[data-action=save-item]").click()
        page.wait_for_load_state()
    page.fill("#summary", "网络带宽不足，已开整改。")
    page.click("[data-action=submit]")
    page.wait_for_load_state()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SUBMITTED
    anomaly = inspection.results.get(item__text="网络带宽")
    assert anomaly.anomaly

    # The anomaly opens a rectification from the submitted inspection's page.
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    row = page.locator("tr.breached", has_text="网络带宽")
    row.locator("summary").click()
    row.locator("[data-testid=rectification-form] button").click()
    page.wait_for_load_state()
    assert inspection.rectifications.filter(result=anomaly).exists()

    login(page, "manager")
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    page.click("[data-action=approve]")
    page.wait_for_load_state()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.APPROVED

    login(page, "customer")
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    _sign(page)
    page.click("[data-action=sign]")
    page.wait_for_load_state()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SIGNED
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    report = tmp_path / "inspection.pdf"
    download.value.save_as(report)
    text = _pdf_text(report)
    assert "东江水务集团有限公司" in text and "网络带宽" in text

    # The half-yearly questionnaire, answered in the portal.
    survey = Survey.objects.filter(contact__user__username="customer", answered_at=None).first()
    page.goto(f"{live_server.url}/surveys/portal/{survey.pk}/")
    for fieldset in page.locator("fieldset[data-testid^=question-]").all():
        if fieldset.locator("input[type=radio]").count():
            fieldset.locator("input[type=radio][value='4']").check()
        else:
            fieldset.locator("textarea").fill("巡检报告很清楚，希望带宽问题尽快解决")
    page.locator("[data-testid=survey-form] button").first.click()
    page.wait_for_load_state()
    survey.refresh_from_db()
    assert survey.answered_at is not None
    shoot(page, "survey-answered")

    # The manager prepares the yearly analysis; the worker's job runs here in-process.
    login(page, "manager")
    page.goto(f"{live_server.url}/reports/")
    fold = page.get_by_test_id("satisfaction-form")
    if fold.get_attribute("open") is None:  # folded on a phone
        fold.locator("summary").click()
    page.fill("input[name=satisfaction-year]", str(timezone.localdate().year))
    page.get_by_test_id("satisfaction-submit").click()
    page.wait_for_load_state()
    # The newest: the demo's report issued to a customer has its own job.
    job = ReportJob.objects.filter(kind="satisfaction_year").latest("created_at", "pk")
    report_job_run(job_id=job.pk)
    page.goto(f"{live_server.url}/reports/")
    with page.expect_download() as download:
        page.locator(f"[data-testid=job-{job.pk}] a").first.click()
    yearly = tmp_path / "satisfaction.pdf"
    download.value.save_as(yearly)
    assert "巡检报告很清楚" in _pdf_text(yearly).replace(" ", "")
    shoot(page, "reports-page")
