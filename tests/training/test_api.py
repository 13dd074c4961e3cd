"""`/api/training/sessions/`: the same services and visibility as the pages; customers read
their own organisation's sessions only; bad input is a 400 with the field, never a 500."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from training.models import TrainingSession

pytestmark = pytest.mark.django_db

URL = "/api/training/sessions/"


def _body(world, **changes):
    start = timezone.now() + timedelta(days=2)
    return {
        "contract": world["contract"].pk,
        "topic": "运维培训",
        "kind": "maintenance",
        "trainer": world["engineer"].pk,
        "starts_at": start.isoformat(),
        "duration_minutes": 90,
        "place": "调度中心",
        "attendees": [
            {"contact": world["contact"].pk},
            {"name": "调度员甲", "organisation": "东江水务", "position": "调度员"},
        ],
        **changes,
    }


def test_plan_change_attend_hold(world, api):
    manager = api(world["manager"])
    created = manager.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert created.status_code == 201, created.data
    body = created.json()
    assert [a["name"] for a in body["attendees"]] == ["孙丽", "调度员甲"]
    assert body["state"] == "planned" and body["signed_sheet"] is None
    again = manager.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again["Idempotent-Replayed"] == "true" and TrainingSession.objects.count() == 1
    pk = body["id"]
    changed = manager.patch(
        f"{URL}{pk}/",
        {"topic": "运维与备份培训", "starts_at": (timezone.now() - timedelta(hours=3)).isoformat()},
        format="json",
    )
    assert changed.status_code == 200, changed.data
    assert changed.json()["topic"] == "运维与备份培训"
    assert len(changed.json()["attendees"]) == 2  # not given: kept
    refused = manager.post(f"{URL}{pk}/hold/")
    assert refused.status_code == 400 and "attendees" in refused.json()
    ids = [a["id"] for a in changed.json()["attendees"]]
    marks = {"attendees": [{"id": ids[0], "attended": True}, {"id": ids[1], "attended": False}]}
    recorded = api(world["engineer"]).post(
        f"{URL}{pk}/attendance/", {**marks, "hold": True}, format="json"
    )
    assert recorded.status_code == 200, recorded.data
    assert recorded.json()["state"] == "held"
    assert [a["attended"] for a in recorded.json()["attendees"]] == [True, False]
    assert manager.post(f"{URL}{pk}/cancel/", {}, format="json").status_code == 409
    assert manager.patch(f"{URL}{pk}/", {"topic": "x"}, format="json").status_code == 409


def test_customers_read_their_own_only(world, api, plan, other_session):
    mine = plan()
    customer = api(world["customer_user"])
    listed = customer.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert customer.get(f"{URL}{mine.pk}/").status_code == 200
    assert customer.get(f"{URL}{other_session.pk}/").status_code == 404
    assert customer.post(f"{URL}{other_session.pk}/cancel/", {}).status_code == 404
    assert customer.post(URL, _body(world), format="json").status_code == 403
    assert customer.patch(f"{URL}{mine.pk}/", {"topic": "x"}, format="json").status_code == 403
    assert customer.post(f"{URL}{mine.pk}/hold/").status_code == 403
    assert api().get(URL).status_code == 401


def test_filters(world, api, plan, other_session):
    mine = plan()
    manager = api(world["manager"])
    by_contract = manager.get(URL, {"contract": world["contract"].pk}).json()["results"]
    assert [row["id"] for row in by_contract] == [mine.pk]
    assert manager.get(URL, {"state": "held"}).json()["results"] == []
    assert len(manager.get(URL, {"year": mine.starts_at.year}).json()["results"]) == 2
    for query in ({"contract": "9" * 30}, {"state": "\x00"}, {"year": "abc"}, {"year": "9" * 9}):
        response = manager.get(URL, query)
        assert response.status_code == 200 and response.json()["results"] == [], query


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"topic": "a\x00b"}, "topic"),
        ({"contract": 2**70}, "contract"),
        ({"contract": "abc"}, "contract"),
        ({"kind": "yoga"}, "kind"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 10**12}, "duration_minutes"),
        ({"trainer": None}, "trainer"),
        ({"attendees": [{"contact": 2**70}]}, "attendees"),
        ({"attendees": [{"name": ""}]}, "attendees"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ],
)
def test_bad_input_is_a_400_with_the_field(world, api, changes, field):
    response = api(world["manager"]).post(URL, _body(world, **changes), format="json")
    assert response.status_code == 400, response.data
    body = response.json()
    # Every error is the API's one shape: a field and its messages, nested lists flattened.
    assert field in body and all(isinstance(message, str) for message in body[field])
    assert not TrainingSession.objects.exists()


def test_wrong_customers_contact_and_foreign_attendee_ids(world, api, plan, other_session):
    manager = api(world["manager"])
    theirs = other_session.attendees.get()
    response = manager.post(
        URL, _body(world, attendees=[{"contact": theirs.contact_id}]), format="json"
    )
    assert response.status_code == 400 and "attendees" in response.json()
    mine = plan()
    response = manager.post(
        f"{URL}{mine.pk}/attendance/",
        {"attendees": [{"id": theirs.pk, "attended": True}]},
        format="json",
    )
    assert response.status_code == 400
    response = manager.post(
        f"{URL}{mine.pk}/attendance/",
        {"attendees": [{"id": 2**70, "attended": True}]},
        format="json",
    )
    assert response.status_code == 400
    assert manager.get(f"{URL}99999999999999999999/").status_code == 404


def test_files_through_the_upload_policy(world, api, plan, settings, tmp_path, monkeypatch):
    from core import uploads

    settings.MEDIA_ROOT = tmp_path
    session = plan()
    manager = api(world["manager"])
    response = manager.post(
        f"{URL}{session.pk}/materials/",
        {"files": [SimpleUploadedFile("a.pdf", b"%PDF"), SimpleUploadedFile("b.pdf", b"%PDF")]},
        format="multipart",
    )
    assert response.status_code == 200, response.data
    assert [m["name"] for m in response.json()["materials"]] == ["a.pdf", "b.pdf"]
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 2)
    response = manager.post(
        f"{URL}{session.pk}/signin_sheet/",
        {"file": SimpleUploadedFile("scan.jpg", b"12345")},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()
