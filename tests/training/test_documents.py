"""The sign-in sheet (培训签到表) and the training counted in the yearly analysis."""

import pytest
from django.urls import reverse

from reports.documents.satisfaction import satisfaction_data, satisfaction_year_pdf
from reports.documents.training import signin_sheet_pdf
from reports.issued import issued_report_issue
from reports.rendering import report_job_run
from tests.reports.test_documents import assert_cjk_embedded, pdf_text, save_pages, squeeze
from training.models import TrainingSession
from training.selectors import session_with_details
from training.services import attendance_record, session_hold

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _held(world, session):
    marks = {a.pk: True for a in session.attendees.all()}
    attendance_record(session=session, user=world["manager"], attendance=marks, now=NOW)
    return session_hold(session=session, user=world["manager"], now=NOW)


def test_signin_sheet_lists_the_attendees_with_room_to_sign(world, plan, tmp_path, artifacts_dir):
    session = plan(place="调度中心三楼会议室")
    pdf = signin_sheet_pdf(session_with_details(TrainingSession.objects).get(pk=session.pk))
    save_pages(pdf, artifacts_dir, "training-signin")
    text = squeeze(pdf_text(pdf, tmp_path))
    for expected in ("孙丽", "调度员甲", "平台操作培训", "调度中心三楼会议室", "DJ-2024-017"):
        assert expected in text
    assert_cjk_embedded(pdf, tmp_path)


def test_yearly_analysis_counts_the_training_held(world, plan, other_session, tmp_path):
    _held(world, plan(kind="operation"))
    _held(world, plan(kind="hardware"))
    _held(world, other_session)
    data = satisfaction_data(year=2026, customer=world["customer"])
    assert (data["training"]["sessions"], data["training"]["attendees"]) == (2, 4)
    assert satisfaction_data(year=2026)["training"]["sessions"] == 3
    text = pdf_text(satisfaction_year_pdf(year=2026, customer=world["customer"]), tmp_path)
    assert "已举办培训 2 场，参训 4 人次。" in text
    assert "技术培训：硬件" in text


def test_customer_downloads_the_yearly_analysis_of_a_year_with_training(
    client, world, plan, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    _held(world, plan())
    issue = issued_report_issue(user=world["manager"], customer=world["customer"], year=2026)
    report_job_run(job_id=issue.job_id)
    client.force_login(world["customer_user"])
    page = client.get(reverse("surveys:portal"))
    download = reverse("portal_reports:download", args=[issue.pk])
    assert download in page.content.decode()
    response = client.get(download)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(world["other_customer_user"])
    assert client.get(download).status_code == 404
    assert client.get(reverse("surveys:portal_report", args=[2026])).status_code == 404
