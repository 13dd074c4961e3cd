"""Inspection pages: engineer on the phone, manager review, customer portal, and scoping."""

from datetime import date

import pytest
from django.urls import reverse

from inspections.models import Inspection, Rectification
from inspections.services.rectifications import rectification_open
from inspections.services.visits import inspection_submit
from tests.inspections.test_services import (
    SIGNATURE,
    answer_all,
    approved,
    make_inspection,
    photo,
)

pytestmark = pytest.mark.django_db


def test_engineer_list_soonest_first_and_carry_out_page(client, world, checklist):
    later = make_inspection(world, checklist, due_on=date(2026, 3, 16))
    sooner = make_inspection(world, checklist, due_on=date(2026, 3, 9))
    client.force_login(world["engineer"])
    page = client.get(reverse("inspections:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f"/inspections/{sooner.pk}/") < html.index(f"/inspections/{later.pk}/")
    page = client.get(reverse("inspections:detail", args=[sooner.pk]))
    assert page.status_code == 200
    assert 'capture="environment"' in page.content.decode()
    assert page.content.decode().count('data-testid="item"') == 6


def test_engineer_records_items_and_submits(client, world, checklist):
    inspection = make_inspection(world, checklist)
    client.force_login(world["engineer"])
    url = lambda item: reverse("inspections:record", args=[inspection.pk, checklist[item].pk])  # noqa: E731
    client.post(url("patches"), {"passed": "yes"})
    client.post(url("log"), {"text": "no errors"})
    client.post(url("page"), {"value": "5", "note": "slow"})
    client.post(url("api"), {"value": "100"})
    response = client.post(url("backup"), {"passed": "yes", "photos": photo()})
    assert response.status_code == 302
    page = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert 'data-testid="anomaly"' in page.content.decode()
    response = client.post(reverse("inspections:submit", args=[inspection.pk]), {"summary": "ok"})
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SUBMITTED
    photo_pk = inspection.results.get(item=checklist["backup"]).photos.get().pk
    response = client.get(reverse("inspections:photo", args=[photo_pk]))
    assert response.status_code == 200


def test_submit_refused_shows_missing_items(client, world, checklist):
    inspection = make_inspection(world, checklist, state=Inspection.State.IN_PROGRESS)
    client.force_login(world["engineer"])
    response = client.post(reverse("inspections:submit", args=[inspection.pk]), follow=True)
    assert "Patches" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.IN_PROGRESS


def test_manager_list_and_review(client, world, checklist):
    inspection = make_inspection(world, checklist)
    answer_all(inspection, checklist, world["engineer"])
    inspection_submit(inspection=inspection, user=world["engineer"])
    client.force_login(world["manager"])
    assert (
        f"/inspections/{inspection.pk}/" in client.get(reverse("inspections:home")).content.decode()
    )
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert 'data-action="approve"' in page
    client.post(
        reverse("inspections:review", args=[inspection.pk]),
        {"decision": "send_back", "note": "Redo the backup check"},
    )
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.IN_PROGRESS
    inspection_submit(inspection=inspection, user=world["engineer"])
    client.post(reverse("inspections:review", args=[inspection.pk]), {"decision": "approve"})
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.APPROVED


def test_engineer_cannot_approve(client, world, checklist):
    inspection = make_inspection(world, checklist)
    answer_all(inspection, checklist, world["engineer"])
    inspection_submit(inspection=inspection, user=world["engineer"])
    client.force_login(world["engineer"])
    client.post(reverse("inspections:review", args=[inspection.pk]), {"decision": "approve"})
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SUBMITTED


def test_rectification_pages(client, world, checklist):
    inspection = approved(world, checklist, date(2026, 3, 9), api="900")
    result = inspection.results.get(item=checklist["api"])
    client.force_login(world["engineer"])
    client.post(
        reverse("inspections:rectification_new", args=[inspection.pk]),
        {
            "result": result.pk,
            "owner": world["engineer"].pk,
            "due_on": "2026-03-20",
            "description": "Tune the query",
            "open_ticket": "1",
        },
    )
    rectification = Rectification.objects.get()
    assert rectification.ticket is not None and rectification.result == result
    assert "Tune the query" in client.get(reverse("inspections:rectifications")).content.decode()
    client.post(
        reverse("inspections:rectification_done", args=[rectification.pk]),
        {"note": "done", "next": "list"},
    )
    client.force_login(world["manager"])
    client.post(reverse("inspections:rectification_verify", args=[rectification.pk]))
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.VERIFIED


def test_customer_portal_and_sign_off(client, world, checklist):
    inspection = approved(world, checklist, date(2026, 3, 9))
    client.force_login(world["customer_user"])
    portal = client.get(reverse("inspections:portal")).content.decode()
    assert reverse("inspections:report_pdf", args=[inspection.pk]) in portal
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert 'data-testid="signature-pad"' in page and "下载 PDF 报告" in page
    client.post(
        reverse("inspections:sign", args=[inspection.pk]),
        {"signer_name": "孙丽", "signature": SIGNATURE},
    )
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SIGNED
    response = client.get(reverse("inspections:signature", args=[inspection.pk]))
    assert response.status_code == 200


def test_customer_cannot_see_unapproved_or_staff_pages(client, world, checklist):
    make_inspection(world, checklist)
    client.force_login(world["customer_user"])
    assert client.get(reverse("inspections:home")).status_code == 403
    assert client.get(reverse("inspections:rectifications")).status_code == 403
    assert client.get(reverse("inspections:portal")).status_code == 200


def test_other_organisation_gets_404_everywhere(client, world, checklist):
    inspection = approved(world, checklist, date(2026, 3, 9), api="900")
    result = inspection.results.get(item=checklist["api"])
    rectification = rectification_open(
        inspection=inspection,
        result=result,
        owner=world["engineer"],
        due_on=date(2026, 3, 20),
        description="Tune",
        user=world["manager"],
    )
    photo_pk = inspection.results.get(item=checklist["backup"]).photos.get().pk
    item = checklist["patches"].pk
    pk = inspection.pk
    urls = [
        ("get", reverse("inspections:detail", args=[pk])),
        ("get", reverse("inspections:report_pdf", args=[pk])),
        ("get", reverse("inspections:signature", args=[pk])),
        ("get", reverse("inspections:photo", args=[photo_pk])),
        ("post", reverse("inspections:start", args=[pk])),
        ("post", reverse("inspections:record", args=[pk, item])),
        ("post", reverse("inspections:submit", args=[pk])),
        ("post", reverse("inspections:review", args=[pk])),
        ("post", reverse("inspections:sign", args=[pk])),
        ("post", reverse("inspections:rectification_new", args=[pk])),
        ("post", reverse("inspections:rectification_done", args=[rectification.pk])),
        ("post", reverse("inspections:rectification_verify", args=[rectification.pk])),
    ]
    client.force_login(world["other_customer_user"])
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
    portal = client.get(reverse("inspections:portal")).content.decode()
    assert reverse("inspections:detail", args=[pk]) not in portal
    client.force_login(world["engineer_north"])
    assert client.get(reverse("inspections:detail", args=[pk])).status_code == 404


def test_report_pdf_download(client, world, checklist):
    report = pytest.importorskip("reports.documents.inspection")
    if not hasattr(report, "inspection_report_pdf"):
        pytest.skip("reports.documents.inspection.inspection_report_pdf is not written yet")
    inspection = approved(world, checklist, date(2026, 3, 9))
    for user in (world["customer_user"], world["manager"]):
        client.force_login(user)
        response = client.get(reverse("inspections:report_pdf", args=[inspection.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response).startswith(b"%PDF")
