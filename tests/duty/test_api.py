"""`/api/duty/`: the same rules as the pages, 400 with the field on bad input."""

import pytest

from accounts.models import DutyShift

pytestmark = pytest.mark.django_db


def _shift(world, **changes):
    data = {
        "branch": world["engineer"].branch.pk,
        "engineer": world["engineer"].pk,
        "starts_at": "2026-10-01T00:00:00+08:00",
        "ends_at": "2026-10-01T12:00:00+08:00",
        "kind": "holiday",
        "mode": "on_site",
        "site": world["site"].pk,
    }
    data.update(changes)
    return data


def test_shifts_are_planned_listed_changed_and_removed(api, world):
    manager = api(world["manager"])
    created = manager.post("/api/duty/shifts/", _shift(world), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    clash = manager.post(
        "/api/duty/shifts/", _shift(world, starts_at="2026-10-01T11:00:00+08:00"), format="json"
    )
    assert clash.status_code == 400 and "starts_at" in clash.json()
    listed = api(world["agent"]).get(
        "/api/duty/shifts/",
        {"branch": world["engineer"].branch.pk, "from": "2026-10-01T00:00:00+08:00"},
    )
    assert [row["id"] for row in listed.json()["results"]] == [pk]
    assert listed.json()["results"][0]["mode"] == "on_site"
    changed = manager.patch(
        f"/api/duty/shifts/{pk}/", {"mode": "on_call", "site": None}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["mode"] == "on_call"
    assert manager.delete(f"/api/duty/shifts/{pk}/").status_code == 204
    assert not DutyShift.objects.exists()


def test_the_api_refuses_whom_the_pages_refuse(api, world, north, put_on_duty):
    shift = put_on_duty()
    assert api(north["manager"]).post("/api/duty/shifts/", _shift(world)).status_code == 403
    assert api(world["engineer"]).delete(f"/api/duty/shifts/{shift.pk}/").status_code == 403
    assert api(world["customer_user"]).get("/api/duty/shifts/").status_code == 403
    assert api(world["customer_user"]).get("/api/duty/gaps/?branch=1").status_code == 403
    assert api().get("/api/duty/shifts/").status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        {"branch": "abc"},
        {"branch": "9" * 30},
        {"branch": "\x00"},
        {"days": "999"},
        {"days": "x"},
    ],
)
def test_bad_gap_queries_are_400_with_the_field(api, world, query):
    response = api(world["agent"]).get("/api/duty/gaps/", query)
    assert response.status_code == 400
    assert set(response.json()) & {"branch", "days"}


def test_gaps_and_bad_filters(api, world):
    gaps = api(world["agent"]).get(
        "/api/duty/gaps/", {"branch": world["engineer"].branch.pk, "days": 14}
    )
    assert gaps.status_code == 200 and isinstance(gaps.json(), list)
    bad = api(world["agent"]).get("/api/duty/shifts/", {"from": "\x00", "branch": "x"})
    assert bad.status_code == 400 and "from" in bad.json()
    bad = api(world["manager"]).post("/api/duty/shifts/", _shift(world, ends_at="x", kind="?"))
    assert bad.status_code == 400 and {"ends_at", "kind"} <= set(bad.json())
