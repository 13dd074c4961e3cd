"""Issue 9: customers see an inspection, its photos and its signature only once approved."""

from datetime import date

import pytest
from django.urls import reverse

from inspections.models import InspectionPhoto
from inspections.services.visits import inspection_review, inspection_submit
from tests.inspections.test_services import answer_all, make_inspection

pytestmark = pytest.mark.django_db


def _urls(inspection) -> list[str]:
    photos = InspectionPhoto.objects.filter(result__inspection=inspection)
    assert photos.exists()
    return [
        reverse("inspections:detail", args=[inspection.pk]),
        reverse("inspections:report_pdf", args=[inspection.pk]),
        *(reverse("inspections:photo", args=[p.pk]) for p in photos),
    ]


def test_a_customer_sees_nothing_of_an_inspection_until_it_is_approved(client, world, checklist):
    inspection = make_inspection(world, checklist, due_on=date(2026, 12, 9))
    answer_all(inspection, checklist, world["engineer"])
    client.force_login(world["customer_user"])
    for url in _urls(inspection):
        assert client.get(url).status_code == 404, url  # in progress

    inspection_submit(inspection=inspection, user=world["engineer"])
    for url in _urls(inspection):
        assert client.get(url).status_code == 404, url  # submitted, not reviewed
    portal = client.get(reverse("inspections:portal")).content.decode()
    assert f"/inspections/{inspection.pk}/" not in portal

    inspection_review(inspection=inspection, user=world["manager"], approve=True)
    for url in _urls(inspection):
        assert client.get(url).status_code == 200, url
    portal = client.get(reverse("inspections:portal")).content.decode()
    assert f"/inspections/{inspection.pk}/" in portal


def test_the_portal_still_lists_coming_visits_by_date_without_a_link(client, world, checklist):
    inspection = make_inspection(world, checklist, due_on=date(2099, 1, 5))
    client.force_login(world["customer_user"])
    portal = client.get(reverse("inspections:portal")).content.decode()
    assert "2099-01-05" in portal
    assert f"/inspections/{inspection.pk}/" not in portal
    client.force_login(world["manager"])
    assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 200
