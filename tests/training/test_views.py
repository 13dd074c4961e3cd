"""The training pages: the desk plans, the trainer records, the customer reads its own
organisation's sessions (another's answer 404), bad input is kept on the form."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from training.models import TrainingSession
from training.services import materials_add, signin_sheet_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(client, user):
    client.force_login(user)
    return client


def _plan_post(world, **changes):
    start = timezone.localtime(timezone.now() + timedelta(days=2)).replace(microsecond=0)
    data = {
        "contract": world["contract"].pk,
        "topic": "平台操作培训",
        "kind": "operation",
        "trainer": world["engineer"].pk,
        "trainer_name": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "place": "调度中心会议室",
        "contacts": [world["contact"].pk],
        "others": "调度员甲, 东江水务, 调度员\n\n信息科乙，东江水务",
        "notes": "",
        "form_token": "t-1",
    }
    data.update(changes)
    return data


def test_manager_plans_with_contacts_and_typed_names(client, world):
    c = _client(client, world["manager"])
    response = c.post("/training/", _plan_post(world))
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert response["Location"] == f"/training/{session.pk}/"
    assert sorted(session.attendees.values_list("name", "position")) == sorted(
        [("孙丽", world["contact"].position), ("调度员甲", "调度员"), ("信息科乙", "")]
    )
    # A double click with the same form token plans one session.
    assert c.post("/training/", _plan_post(world)).status_code == 302
    assert TrainingSession.objects.count() == 1
    page = c.get(response["Location"])
    assert "调度员甲" in page.content.decode()


def test_bad_input_keeps_what_was_typed(client, world):
    c = _client(client, world["manager"])
    response = c.post(
        "/training/",
        _plan_post(world, topic="保留的主题", duration_minutes="abc", trainer="", form_token="t-2"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="保留的主题"' in html and 'data-field-error="duration_minutes"' in html
    # No trainer at all: the service's refusal beside the field.
    response = c.post("/training/", _plan_post(world, trainer="", form_token="t-3"))
    assert response.status_code == 400
    assert 'data-field-error="trainer"' in response.content.decode()
    # NUL characters, huge and foreign ids: 400, never 500.
    for changes in (
        {"topic": "a\x00b"},
        {"contract": "9" * 30},
        {"contacts": [world["other_contract"].customer.contacts.get().pk]},
        {"trainer": str(2**70)},
    ):
        response = c.post("/training/", _plan_post(world, form_token="", **changes))
        assert response.status_code == 400, changes
    assert not TrainingSession.objects.exists()


def test_engineers_and_customers_see_no_plan_form(client, world, plan):
    plan()
    for who in ("engineer", "customer_user"):
        c = _client(client, world[who])
        page = c.get("/training/")
        assert page.status_code == 200
        assert 'data-testid="plan"' not in page.content.decode()
        assert c.post("/training/", _plan_post(world)).status_code == 200
    assert TrainingSession.objects.count() == 1


def test_customer_sees_its_own_and_never_anothers(client, world, plan, other_session, media):
    mine = plan()
    materials_add(
        session=mine, user=world["manager"], files=[SimpleUploadedFile("手册.pdf", b"%PDF")]
    )
    signin_sheet_upload(
        session=mine, user=world["manager"], file=SimpleUploadedFile("signed.jpg", b"jpg")
    )
    material = mine.materials.get()
    theirs_material = materials_add(
        session=other_session, user=world["manager"], files=[SimpleUploadedFile("x.pdf", b"x")]
    )[0]
    c = _client(client, world["customer_user"])
    listing = c.get("/training/").content.decode()
    assert f'data-session="{mine.pk}"' in listing
    assert f'data-session="{other_session.pk}"' not in listing
    page = c.get(f"/training/{mine.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "手册.pdf" in html and 'data-testid="attendance-form"' not in html
    assert c.get(f"/training/{mine.pk}/materials/{material.pk}/").content == b"%PDF"
    assert c.get(f"/training/{mine.pk}/signed-sheet/").content == b"jpg"
    pdf = c.get(f"/training/{mine.pk}/signin-sheet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for url in (
        f"/training/{other_session.pk}/",
        f"/training/{other_session.pk}/signin-sheet.pdf",
        f"/training/{other_session.pk}/materials/{theirs_material.pk}/",
        f"/training/{mine.pk}/materials/{theirs_material.pk}/",
        "/training/99999999999999999999/",
    ):
        assert c.get(url).status_code == 404, url
    # Staff actions are not theirs.
    assert c.post(f"/training/{mine.pk}/cancel/", {}).status_code == 403


def test_trainer_records_attendance_and_marks_held(client, world, plan):
    session = plan()
    first = session.attendees.order_by("pk").first()
    c = _client(client, world["engineer"])
    # Everyone is recorded at once: the one ticked came, the other did not; a stray value
    # is ignored.
    response = c.post(
        f"/training/{session.pk}/attendance/", {"attended": [str(first.pk), "x" * 5], "hold": "1"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == "held"
    assert [a.attended for a in session.attendees.order_by("pk")] == [True, False]
    page = c.get(f"/training/{session.pk}/").content.decode()
    assert 'data-testid="session-state"' in page


def test_nobody_ticked_is_not_held(client, world, plan):
    session = plan()
    c = _client(client, world["manager"])
    response = c.post(f"/training/{session.pk}/attendance/", {"hold": "1"})
    assert response.status_code == 400
    assert 'data-testid="attendance-error"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == "planned"


def test_invite_remove_cancel(client, world, plan):
    session = plan(starts_at=timezone.now() + timedelta(days=3))
    c = _client(client, world["agent"])
    response = c.post(f"/training/{session.pk}/attendee/", {"name": "", "organisation": "保留"})
    assert response.status_code == 400 and 'value="保留"' in response.content.decode()
    assert c.post(f"/training/{session.pk}/attendee/", {"name": "新人"}).status_code == 302
    added = session.attendees.get(name="新人")
    c.post(f"/training/{session.pk}/remove-attendee/", {"id": str(added.pk)})
    assert not session.attendees.filter(name="新人").exists()
    assert c.post(f"/training/{session.pk}/remove-attendee/", {"id": "9" * 40}).status_code == 302
    edit = c.get(f"/training/{session.pk}/edit/")
    assert edit.status_code == 200
    assert c.post(f"/training/{session.pk}/cancel/", {"reason": "改期"}).status_code == 302
    session.refresh_from_db()
    assert session.state == "cancelled" and session.cancel_reason == "改期"
    assert c.get(f"/training/{session.pk}/edit/").status_code == 404
    assert c.post(f"/training/{session.pk}/nonsense/").status_code == 404


def test_materials_upload_refused_beyond_the_policy(client, world, plan, media, monkeypatch):
    from core import uploads

    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 3)
    session = plan()
    c = _client(client, world["engineer"])
    response = c.post(
        f"/training/{session.pk}/materials/", {"files": [SimpleUploadedFile("a.pdf", b"12345")]}
    )
    assert response.status_code == 400
    assert 'data-field-error="files"' in response.content.decode()
    assert not session.materials.exists()


def test_list_filters_ignore_nonsense(client, world, plan, other_session):
    mine = plan()
    c = _client(client, world["manager"])
    page = c.get("/training/", {"contract": world["contract"].pk, "state": "planned"})
    html = page.content.decode()
    assert f'data-session="{mine.pk}"' in html
    assert f'data-session="{other_session.pk}"' not in html
    for query in ({"contract": "9" * 30}, {"state": "\x00"}, {"year": "１２"}, {"year": "99999"}):
        assert c.get("/training/", query).status_code == 200, query


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_in_both_languages(client, world, plan, language):
    session = plan()
    c = _client(client, world["manager"])
    with translation.override(language):
        c.cookies["django_language"] = language
        assert c.get("/training/").status_code == 200
        assert c.get(f"/training/{session.pk}/").status_code == 200


def test_nav_links_for_staff_and_customers(client, world):
    for who in ("manager", "engineer", "customer_user"):
        html = _client(client, world[who]).get("/training/").content.decode()
        assert 'href="/training/"' in html, who


def test_session_page_queries_do_not_grow_with_attendees(
    client, world, plan, django_assert_max_num_queries
):
    from training.services import AttendeeInput

    session = plan(attendees=[AttendeeInput(name=f"学员{n}") for n in range(30)])
    c = _client(client, world["manager"])
    c.get(f"/training/{session.pk}/")
    with django_assert_max_num_queries(20):
        c.get(f"/training/{session.pk}/")


def test_edit_changes_a_planned_session_and_keeps_bad_input(client, world, plan):
    session = plan(starts_at=timezone.now() + timedelta(days=3))
    c = _client(client, world["manager"])
    start = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "topic": "改后的主题",
        "kind": "fault_repair",
        "trainer": "",
        "trainer_name": "",
        "starts_at": start,
        "duration_minutes": "60",
        "place": "第二水厂",
        "notes": "",
        "form_token": "e-1",
    }
    response = c.post(f"/training/{session.pk}/edit/", data)
    assert response.status_code == 400
    assert 'value="改后的主题"' in response.content.decode()
    response = c.post(
        f"/training/{session.pk}/edit/", {**data, "trainer_name": "外聘讲师", "form_token": "e-2"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.topic, session.kind, session.trainer_display) == (
        "改后的主题",
        "fault_repair",
        "外聘讲师",
    )
    assert session.attendees.count() == 2
