"""Inspections and rectifications on the tickets' standard: every status change is recorded
(who, when, from, to), a step that is not possible now is refused and changes nothing, and
two people acting at once cannot both win."""

import os
import re
import threading
from datetime import date

import pytest
from django.db import connections
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import TransitionConflict
from inspections.models import Inspection, InspectionEvent, Rectification
from inspections.services.rectifications import (
    rectification_done,
    rectification_open,
    rectification_verify,
)
from inspections.services.scheduling import inspections_generate
from inspections.services.visits import (
    inspection_review,
    inspection_sign,
    inspection_start,
    inspection_submit,
    result_record,
)
from tests.factories import UserFactory
from tests.inspections.test_services import SIGNATURE, answer_all, make_inspection


def _history(inspection: Inspection, *, rectification: Rectification | None = None) -> list:
    events = InspectionEvent.objects.filter(inspection=inspection, rectification=rectification)
    return [
        (e.action, e.actor.username if e.actor else None, e.from_state, e.to_state)
        for e in events.select_related("actor")
    ]


@pytest.mark.django_db
def test_each_step_of_an_inspection_is_recorded_with_who_from_and_to(world, checklist):
    engineer, manager, customer = world["engineer"], world["manager"], world["customer_user"]
    inspection = make_inspection(world, checklist)
    answer_all(inspection, checklist, engineer)  # the first answer starts it
    inspection_submit(inspection=inspection, user=engineer)
    inspection_review(inspection=inspection, user=manager, approve=False, note="Photo is blurred")
    inspection_submit(inspection=inspection, user=engineer)
    inspection_review(inspection=inspection, user=manager, approve=True)
    inspection_sign(inspection=inspection, user=customer, signer_name="孙丽", signature=SIGNATURE)
    assert _history(inspection) == [
        ("start", "engineer", "scheduled", "in_progress"),
        ("submit", "engineer", "in_progress", "submitted"),
        ("send_back", "manager", "submitted", "in_progress"),
        ("submit", "engineer", "in_progress", "submitted"),
        ("approve", "manager", "submitted", "approved"),
        ("sign", "customer", "approved", "signed"),
    ]
    sent_back = InspectionEvent.objects.get(inspection=inspection, action="send_back")
    assert sent_back.note == "Photo is blurred"
    inspection.refresh_from_db()
    # What each step set is stored, not only the state.
    assert inspection.submitted_at and inspection.approved_by == manager
    assert inspection.signer_name == "孙丽" and inspection.signature


@pytest.mark.django_db
def test_each_step_of_a_rectification_is_recorded_on_its_inspection(world, checklist):
    engineer, manager = world["engineer"], world["manager"]
    inspection = make_inspection(world, checklist)
    result = result_record(inspection=inspection, item=checklist["api"], user=engineer, value=900)
    rectification = rectification_open(
        inspection=inspection,
        result=result,
        owner=engineer,
        due_on=date(2026, 3, 20),
        description="Add an index",
        user=engineer,
    )
    rectification_done(rectification=rectification, user=engineer, note="Index added")
    rectification_verify(rectification=rectification, user=manager, accept=False, note="Still slow")
    rectification_done(rectification=rectification, user=engineer, note="Query cached")
    rectification_verify(rectification=rectification, user=manager)
    assert _history(inspection, rectification=rectification) == [
        ("open", "engineer", "", "open"),
        ("mark_done", "engineer", "open", "done"),
        ("reopen", "manager", "done", "open"),
        ("mark_done", "engineer", "open", "done"),
        ("verify", "manager", "done", "verified"),
    ]
    reopened = InspectionEvent.objects.get(rectification=rectification, action="reopen")
    assert reopened.note == "Still slow"
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.VERIFIED
    assert rectification.done_note == "Query cached" and rectification.verified_by == manager
    # The inspection's own history has only its own step.
    assert _history(inspection) == [("start", "engineer", "scheduled", "in_progress")]


@pytest.mark.django_db
def test_withdrawing_an_unplanned_inspection_is_recorded_as_the_schedules_doing(plan):
    inspections_generate(today=date(2026, 3, 2))
    plan.is_active = False
    plan.save()
    inspections_generate(today=date(2026, 3, 2))
    withdrawn = Inspection.objects.filter(plan=plan)
    assert {i.state for i in withdrawn} == {Inspection.State.CANCELLED}
    for inspection in withdrawn:
        assert _history(inspection) == [("cancel", None, "scheduled", "cancelled")]


@pytest.mark.django_db
def test_a_step_not_possible_now_is_refused_with_the_reason_and_changes_nothing(world, checklist):
    inspection = make_inspection(world, checklist)
    answer_all(inspection, checklist, world["engineer"])
    inspection.refresh_from_db()
    before = (inspection.state, inspection.updated_at, inspection.events.count())
    with pytest.raises(TransitionConflict) as refused:
        inspection_review(inspection=inspection, user=world["manager"], approve=True)
    assert refused.value.message == _("This inspection is not waiting for review.")
    with pytest.raises(TransitionConflict):
        inspection_sign(
            inspection=inspection,
            user=world["customer_user"],
            signer_name="孙丽",
            signature=SIGNATURE,
        )
    with pytest.raises(TransitionConflict):
        inspection_start(inspection=inspection, user=world["engineer"])
    inspection.refresh_from_db()
    assert (inspection.state, inspection.updated_at, inspection.events.count()) == before
    assert inspection.approved_by is None and not inspection.signature


@pytest.mark.django_db
def test_a_rectification_cannot_be_verified_before_it_is_done_nor_set_by_hand(world, checklist):
    inspection = make_inspection(world, checklist)
    result = result_record(
        inspection=inspection, item=checklist["patches"], user=world["engineer"], passed=False
    )
    rectification = rectification_open(
        inspection=inspection,
        result=result,
        owner=world["engineer"],
        due_on=date(2026, 3, 20),
        description="Install the patch",
        user=world["engineer"],
    )
    with pytest.raises(TransitionConflict) as refused:
        rectification_verify(rectification=rectification, user=world["manager"])
    assert refused.value.message == _("This rectification is not waiting for verification.")
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN
    assert rectification.verified_by is None and rectification.verified_at is None
    assert rectification.events.count() == 1  # its opening only
    # Only the services move it: the status cannot be set by hand.
    with pytest.raises(AttributeError):
        rectification.status = Rectification.Status.VERIFIED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="row locks need PostgreSQL",
)
def test_two_managers_approving_at_once_one_wins_the_other_gets_a_conflict(world, checklist):
    inspection = make_inspection(world, checklist)
    answer_all(inspection, checklist, world["engineer"])
    inspection_submit(inspection=inspection, user=world["engineer"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            inspection_review(inspection=inspection, user=user, approve=True)
            outcomes.append(f"ok: {user.username}")
        except TransitionConflict as exc:
            outcomes.append(f"conflict: {exc.message}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(world[name],)) for name in ("manager", "leader")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2, outcomes
    winners = [o for o in outcomes if o.startswith("ok: ")]
    assert len(winners) == 1, outcomes
    assert f"conflict: {_('This inspection is not waiting for review.')}" in outcomes
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.APPROVED
    assert inspection.approved_by.username == winners[0].removeprefix("ok: ")
    assert inspection.events.filter(action="approve").count() == 1


@pytest.mark.django_db
def test_the_admin_shows_the_history_and_leaves_the_status_to_the_workflow(
    client, world, checklist
):
    inspection = make_inspection(world, checklist)
    result = result_record(
        inspection=inspection, item=checklist["patches"], user=world["engineer"], passed=False
    )
    rectification = rectification_open(
        inspection=inspection,
        result=result,
        owner=world["engineer"],
        due_on=date(2026, 3, 20),
        description="Install the patch",
        user=world["engineer"],
    )
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:inspections_inspection_change", args=[inspection.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for action in ("start", "open"):
        assert re.search(rf'class="field-action">\s*<p>{action}</p>', html), action
    page = client.get(reverse("admin:inspections_rectification_change", args=[rectification.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
