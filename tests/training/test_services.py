"""Training rules: who plans and records, attendees of the contract's customer only, held
only with the attendance recorded, uploads within the one policy, and the year's counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contact
from core import uploads
from core.errors import TransitionConflict, TransitionForbidden
from tests.factories import ContactFactory, ContractFactory
from tests.tickets.conftest import shanghai
from training.models import TrainingSession
from training.selectors import sessions_visible_to, training_year, training_years
from training.services import (
    AttendeeInput,
    attendance_record,
    attendee_add,
    materials_add,
    session_cancel,
    session_change,
    session_hold,
    signin_sheet_upload,
)

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _all_came(session, user, came=True):
    marks = {a.pk: came for a in session.attendees.all()}
    return attendance_record(session=session, user=user, attendance=marks, now=NOW)


def test_planned_with_contacts_and_typed_names(world, plan):
    session = plan()
    people = list(session.attendees.order_by("pk"))
    assert [(a.name, a.organisation, a.position) for a in people] == [
        ("孙丽", "东江水务集团有限公司", world["contact"].position),
        ("调度员甲", "东江水务", "调度员"),
    ]
    assert all(a.attended is None for a in people)
    assert session.state == TrainingSession.State.PLANNED
    engineer = world["engineer"]
    assert session.trainer_display == (engineer.get_full_name() or engineer.username)


def test_only_the_desk_and_managers_plan(world, plan):
    for who in ("engineer", "customer_user"):
        with pytest.raises(TransitionForbidden):
            plan(user=world[who])
    assert plan(user=world["agent"]).pk


def test_attendees_come_from_the_contracts_customer(world, plan):
    stranger = ContactFactory(customer=world["other_contract"].customer)
    with pytest.raises(ValidationError) as refused:
        plan(attendees=[AttendeeInput(contact=stranger)])
    assert "attendees" in refused.value.message_dict
    assert not TrainingSession.objects.exists()


def test_trainer_is_an_engineer_or_an_external_name(world, plan):
    with pytest.raises(ValidationError) as refused:
        plan(trainer=None, trainer_name="  ")
    assert "trainer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(trainer=world["customer_user"])
    assert "trainer" in refused.value.message_dict
    external = plan(trainer=None, trainer_name="厂商专家")
    assert external.trainer_display == "厂商专家"


def test_bad_text_and_numbers_are_field_errors(plan):
    with pytest.raises(ValidationError) as refused:
        plan(topic="a\x00b", duration_minutes=10**12, place="")
    assert set(refused.value.message_dict) >= {"topic", "duration_minutes", "place"}


def test_held_requires_the_attendance_recorded(world, plan):
    session = plan()
    with pytest.raises(ValidationError) as refused:
        session_hold(session=session, user=world["manager"], now=NOW)
    assert "attendees" in refused.value.message_dict
    first = session.attendees.order_by("pk").first()
    attendance_record(session=session, user=world["engineer"], attendance={first.pk: True}, now=NOW)
    with pytest.raises(ValidationError):
        session_hold(session=session, user=world["manager"], now=NOW)
    _all_came(session, world["manager"], came=False)
    with pytest.raises(ValidationError):  # nobody came: cancel it instead
        session_hold(session=session, user=world["manager"], now=NOW)
    _all_came(session, world["manager"])
    # The session's own trainer may mark it held.
    held = session_hold(session=session, user=world["engineer"], now=NOW)
    assert held.state == "held" and held.held_at == NOW
    with pytest.raises(TransitionConflict):
        session_hold(session=session, user=world["manager"], now=NOW)


def test_no_attendance_before_the_session_starts(world, plan):
    session = plan(starts_at=NOW + timedelta(days=2))
    with pytest.raises(TransitionConflict):
        _all_came(session, world["manager"])


def test_attendance_only_of_this_sessions_attendees(world, plan, other_session):
    session = plan()
    theirs = other_session.attendees.get()
    with pytest.raises(ValidationError):
        attendance_record(
            session=session, user=world["manager"], attendance={theirs.pk: True}, now=NOW
        )
    assert other_session.attendees.get().attended is None


def test_other_engineers_and_customers_do_not_record(world, plan):
    session = plan()
    for who in ("engineer_north", "customer_user"):
        with pytest.raises(TransitionForbidden):
            _all_came(session, world[who])


def test_changed_while_planned_only(world, plan):
    session = plan(starts_at=NOW + timedelta(days=3))
    values = {
        "topic": "运维培训",
        "kind": "maintenance",
        "trainer": None,
        "trainer_name": "外聘讲师",
        "starts_at": NOW + timedelta(days=4),
        "duration_minutes": 60,
        "place": "第二水厂",
    }
    changed = session_change(
        session=session,
        user=world["agent"],
        attendees=[AttendeeInput(name="新学员")],
        **values,
    )
    assert changed.topic == "运维培训" and changed.trainer_id is None
    assert list(changed.attendees.values_list("name", flat=True)) == ["新学员"]
    session_cancel(session=session, user=world["manager"], reason="客户调整计划")
    with pytest.raises(TransitionConflict):
        session_change(session=session, user=world["manager"], **values)
    with pytest.raises(TransitionConflict):
        attendee_add(session=session, user=world["manager"], person=AttendeeInput(name="x"))


def test_a_contact_is_invited_once(world, plan):
    session = plan()
    with pytest.raises(ValidationError):
        attendee_add(
            session=session, user=world["manager"], person=AttendeeInput(contact=world["contact"])
        )
    again = plan(attendees=[AttendeeInput(contact=world["contact"])] * 2)
    assert again.attendees.count() == 1


def test_materials_within_the_upload_policy(world, plan, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    session = plan()
    files = [SimpleUploadedFile(f"slides-{n}.pdf", b"%PDF-1.4 x") for n in range(2)]
    assert len(materials_add(session=session, user=world["engineer"], files=files)) == 2
    monkeypatch.setattr(uploads, "MAX_FILES", 3)
    too_many = [SimpleUploadedFile(f"more-{n}.pdf", b"x") for n in range(2)]
    with pytest.raises(ValidationError) as refused:
        materials_add(session=session, user=world["engineer"], files=too_many)
    assert "files" in refused.value.message_dict
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 5)
    with pytest.raises(ValidationError):
        materials_add(
            session=session, user=world["engineer"], files=[SimpleUploadedFile("big.pdf", b"x" * 6)]
        )
    with pytest.raises(ValidationError):
        materials_add(
            session=session, user=world["engineer"], files=[SimpleUploadedFile("a\x00.pdf", b"x")]
        )
    with pytest.raises(TransitionForbidden):
        materials_add(
            session=session, user=world["customer_user"], files=[SimpleUploadedFile("a.pdf", b"x")]
        )
    assert session.materials.count() == 2


def test_signed_sheet_after_the_session_replaces_the_old(world, plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    coming = plan(starts_at=NOW + timedelta(days=1))
    with pytest.raises(TransitionConflict):
        signin_sheet_upload(
            session=coming, user=world["manager"], file=SimpleUploadedFile("s.pdf", b"x"), now=NOW
        )
    session = plan()
    signin_sheet_upload(
        session=session, user=world["manager"], file=SimpleUploadedFile("s1.jpg", b"1"), now=NOW
    )
    session = signin_sheet_upload(
        session=session, user=world["manager"], file=SimpleUploadedFile("s2.jpg", b"2"), now=NOW
    )
    assert session.signin_name == "s2.jpg"
    with session.signin_sheet.open("rb") as handle:
        assert handle.read() == b"2"


def test_each_customer_sees_only_its_own_sessions(world, plan, other_session):
    mine = plan()
    assert list(sessions_visible_to(world["customer_user"])) == [mine]
    assert list(sessions_visible_to(world["other_customer_user"])) == [other_session]
    assert set(sessions_visible_to(world["engineer"])) == {mine, other_session}


def test_the_years_counts_per_kind_and_customer(world, plan, other_session):
    held = plan(kind="operation")
    _all_came(held, world["manager"])
    session_hold(session=held, user=world["manager"], now=NOW)
    repair = plan(kind="fault_repair")
    marks = dict.fromkeys(repair.attendees.values_list("pk", flat=True), False)
    marks[repair.attendees.order_by("pk").first().pk] = True
    attendance_record(session=repair, user=world["manager"], attendance=marks, now=NOW)
    session_hold(session=repair, user=world["manager"], now=NOW)
    _all_came(other_session, world["manager"])
    session_hold(session=other_session, user=world["manager"], now=NOW)
    plan(starts_at=NOW + timedelta(days=3))  # planned: not counted as held
    # New Year's Eve at 23:00 in Shanghai is still last year.
    plan(starts_at=shanghai(2025, 12, 31, 23, 0))
    mine = training_year(year=2026, customer=world["customer"])
    kinds = {k["kind"]: (k["sessions"], k["attendees"]) for k in mine["kinds"]}
    assert kinds["operation"] == (1, 2) and kinds["fault_repair"] == (1, 1)
    assert kinds["hardware"] == (0, 0)
    assert (mine["sessions"], mine["attendees"], mine["planned"]) == (2, 3, 1)
    everyone = training_year(year=2026)
    assert (everyone["sessions"], everyone["attendees"]) == (3, 4)
    assert training_year(year=2025, customer=world["customer"])["planned"] == 1
    assert training_years(world["customer"].pk) == [2026]


def test_the_years_counts_cost_two_queries(world, plan, django_assert_num_queries):
    for _ in range(3):
        session = plan()
        _all_came(session, world["manager"])
        session_hold(session=session, user=world["manager"], now=NOW)
    with django_assert_num_queries(2):
        training_year(year=2026, customer=world["customer"])


def test_a_deleted_contact_leaves_the_attendee(world, plan):
    session = plan()
    Contact.objects.filter(pk=world["contact"].pk).delete()
    assert session.attendees.filter(name="孙丽", contact__isnull=True).exists()


def test_contract_of_another_customer_is_not_confused(world, plan):
    contract = ContractFactory()
    with pytest.raises(ValidationError):
        plan(contract=contract, attendees=[AttendeeInput(contact=world["contact"])])
