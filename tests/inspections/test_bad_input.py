"""Issue 9 on inspections: NUL in a note, photos per item capped by the one upload policy."""

import pytest
from django.urls import reverse
from django.utils import translation

from core import uploads
from inspections.models import InspectionResult
from tests.inspections.test_services import make_inspection, photo

pytestmark = pytest.mark.django_db


def test_nul_in_an_item_note_is_a_message_not_a_500(client, world, checklist):
    inspection = make_inspection(world, checklist)
    client.force_login(world["engineer"])
    url = reverse("inspections:record", args=[inspection.pk, checklist["page"].pk])
    response = client.post(url, {"value": "5", "note": "slow\x00"}, follow=True)
    assert response.status_code == 200
    assert any("NUL" in str(m) for m in response.context["messages"])
    assert not InspectionResult.objects.exists()


def test_photos_per_item_are_capped(client, world, checklist, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_FILES", 2)
    inspection = make_inspection(world, checklist)
    client.force_login(world["engineer"])
    url = reverse("inspections:record", args=[inspection.pk, checklist["backup"].pk])
    client.post(url, {"passed": "yes", "photos": [photo(), photo()]})
    result = InspectionResult.objects.get()
    assert result.photos.count() == 2
    response = client.post(url, {"passed": "yes", "photos": [photo()]}, follow=True)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext("At most %(count)d files per item.") % {"count": 2}
    assert any(expected in str(m) for m in response.context["messages"])
    assert result.photos.count() == 2
