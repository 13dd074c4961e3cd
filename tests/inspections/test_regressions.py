"""Holes found in review: each must stay closed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import Inspection, InspectionResult
from inspections.services.visits import result_record
from tests.inspections.test_services import approved, make_inspection

pytestmark = pytest.mark.django_db


def test_the_reports_address_of_an_inspection_report_leads_to_the_guarded_one(
    client, world, checklist
):
    inspection = approved(world, checklist, date(2026, 3, 9))
    client.force_login(world["engineer_north"])
    response = client.get(reverse("reports:inspection_pdf", args=[inspection.pk]), follow=True)
    assert response.status_code == 404
    unapproved = make_inspection(world, checklist, state=Inspection.State.IN_PROGRESS)
    client.force_login(world["customer_user"])
    response = client.get(reverse("reports:inspection_pdf", args=[unapproved.pk]), follow=True)
    assert response.status_code == 404


def test_bad_ids_in_the_rectification_form_are_not_a_crash(client, world, checklist):
    inspection = make_inspection(world, checklist, state=Inspection.State.IN_PROGRESS)
    client.force_login(world["engineer"])
    url = reverse("inspections:rectification_new", args=[inspection.pk])
    bad_result = client.post(url, {"result": "abc", "description": "x", "due_on": "2026-04-01"})
    bad_owner = client.post(url, {"owner": "abc", "description": "x", "due_on": "2026-04-01"})
    assert bad_result.status_code == 404
    assert bad_owner.status_code == 302
    assert not inspection.rectifications.exists()


def test_a_page_uploaded_as_a_photo_is_refused(client, world, checklist):
    inspection = make_inspection(world, checklist)
    client.force_login(world["engineer"])
    evil = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    client.post(
        reverse("inspections:record", args=[inspection.pk, checklist["backup"].pk]),
        {"passed": "yes", "photos": evil},
    )
    assert not InspectionResult.objects.filter(inspection=inspection).exists()


def test_an_uploaded_page_is_downloaded_never_shown(client, world):
    from tickets.services.attachments import ticket_attach
    from tickets.services.creation import ticket_create

    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        kind="fault",
        priority="P2",
        summary="x",
        channel="portal",
    )
    evil = SimpleUploadedFile("a.html", b"<script>alert(1)</script>", content_type="text/html")
    attachment = ticket_attach(ticket_id=ticket.pk, user=world["customer_user"], file=evil)
    client.force_login(world["agent"])
    response = client.get(f"/files/attachment/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_value_that_rounds_past_the_column_is_refused(world, checklist):
    inspection = make_inspection(world, checklist)
    with pytest.raises(ValidationError):
        result_record(
            inspection=inspection,
            item=checklist["api"],
            user=world["engineer"],
            value="9999999999.99999",
        )
    result = result_record(
        inspection=inspection, item=checklist["api"], user=world["engineer"], value="12,5"
    )
    assert result.value == Decimal("12.5000")
