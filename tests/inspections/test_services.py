"""Inspection services: schedule, results and anomalies, submission, review, sign-off,
rectifications and alerts."""

import base64
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.phases import AfterWarranty
from core.errors import TransitionConflict, TransitionForbidden
from inspections.models import (
    Inspection,
    InspectionAlert,
    InspectionPlan,
    Rectification,
)
from inspections.services.rectifications import (
    rectification_done,
    rectification_open,
    rectification_verify,
)
from inspections.services.scheduling import inspections_alert, inspections_generate
from inspections.services.visits import (
    inspection_review,
    inspection_sign,
    inspection_start,
    inspection_submit,
    result_record,
)
from tests.factories import ContractFactory, SiteFactory
from tickets.models import Notification, Ticket

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0"
    b"\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()
pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def photo():
    return SimpleUploadedFile("p.png", PNG, content_type="image/png")


def make_inspection(world, checklist, due_on=date(2026, 3, 9), **kwargs):
    return Inspection.objects.create(
        contract=world["contract"],
        site=world["site"],
        template=checklist["template"],
        engineer=world["engineer"],
        due_on=due_on,
        **kwargs,
    )


def answer_all(inspection, checklist, user, *, api="120", page="1.0"):
    record = result_record
    record(inspection=inspection, item=checklist["patches"], user=user, passed=True)
    record(inspection=inspection, item=checklist["log"], user=user, text="clean")
    record(inspection=inspection, item=checklist["page"], user=user, value=page)
    record(inspection=inspection, item=checklist["api"], user=user, value=api)
    record(
        inspection=inspection, item=checklist["backup"], user=user, passed=True, photos=[photo()]
    )


def approved(world, checklist, due_on, **answers):
    inspection = make_inspection(world, checklist, due_on=due_on)
    answer_all(inspection, checklist, world["engineer"], **answers)
    inspection_submit(inspection=inspection, user=world["engineer"])
    inspection_review(inspection=inspection, user=world["manager"], approve=True)
    inspection.refresh_from_db()
    return inspection


# ------------------------------------------------------------------ schedule


def test_generate_weekly_within_lead_time_and_idempotent(plan):
    created = inspections_generate(today=date(2026, 3, 10))
    days = list(Inspection.objects.order_by("due_on").values_list("due_on", flat=True))
    assert days == [date(2026, 3, 16), date(2026, 3, 23)]
    assert created == 2
    assert inspections_generate(today=date(2026, 3, 10)) == 0
    assert Inspection.objects.count() == 2
    first = Inspection.objects.order_by("due_on").first()
    assert first.engineer == plan.engineer and first.template == plan.template
    assert first.state == Inspection.State.SCHEDULED


def test_generate_uses_branch_engineer_when_plan_has_none(plan, world):
    plan.engineer = None
    plan.save()
    inspections_generate(today=date(2026, 3, 10))
    assert set(Inspection.objects.values_list("engineer", flat=True)) == {world["engineer"].pk}


def test_generate_stops_when_the_contract_expires(world, checklist):
    contract = ContractFactory(
        customer=world["customer"],
        signed_on=date(2023, 1, 10),
        final_acceptance_on=date(2023, 3, 31),
        warranty_months=36,
        after_warranty=AfterWarranty.NONE,
    )  # warranty ends 2026-03-31, nothing after
    InspectionPlan.objects.create(
        contract=contract,
        site=world["site"],
        template=checklist["template"],
        cycle=InspectionPlan.Cycle.WEEKLY,
        starts_on=date(2026, 3, 2),
        lead_days=60,
    )
    inspections_generate(today=date(2026, 3, 10))
    days = list(Inspection.objects.order_by("due_on").values_list("due_on", flat=True))
    assert days == [date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)]


def test_generate_includes_trial_operation_and_respects_ends_on(world, checklist):
    trial = ContractFactory(
        customer=world["customer"], signed_on=date(2026, 1, 5), final_acceptance_on=None
    )
    InspectionPlan.objects.create(
        contract=trial,
        site=world["site"],
        template=checklist["template"],
        cycle=InspectionPlan.Cycle.WEEKLY,
        starts_on=date(2025, 12, 22),  # before signing: not yet in force
        ends_on=date(2026, 1, 20),
        lead_days=60,
    )
    inspections_generate(today=date(2025, 12, 20))
    days = list(Inspection.objects.order_by("due_on").values_list("due_on", flat=True))
    assert days == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]


def test_generate_custom_and_half_yearly_cycles(world, checklist):
    InspectionPlan.objects.create(
        contract=world["contract"],
        site=world["site"],
        template=checklist["template"],
        cycle=InspectionPlan.Cycle.CUSTOM,
        interval_days=10,
        starts_on=date(2026, 1, 1),
        lead_days=25,
    )
    half = InspectionPlan.objects.create(
        contract=world["contract"],
        site=SiteFactory(customer=world["customer"], branch=world["site"].branch),
        template=checklist["template"],
        cycle=InspectionPlan.Cycle.HALF_YEARLY,
        starts_on=date(2025, 8, 31),
        lead_days=200,
    )
    inspections_generate(today=date(2026, 1, 15))
    custom = Inspection.objects.exclude(plan=half).order_by("due_on")
    assert [i.due_on for i in custom] == [date(2026, 1, 21), date(2026, 1, 31)]
    assert list(Inspection.objects.filter(plan=half).values_list("due_on", flat=True)) == [
        date(2026, 2, 28)
    ]


# ------------------------------------------------------------------ results and anomalies


def test_range_anomaly_and_validation(world, checklist):
    inspection = make_inspection(world, checklist)
    engineer = world["engineer"]
    with pytest.raises(ValidationError):
        result_record(inspection=inspection, item=checklist["page"], user=engineer)
    with pytest.raises(ValidationError):
        result_record(inspection=inspection, item=checklist["patches"], user=engineer)
    with pytest.raises(ValidationError):
        result_record(inspection=inspection, item=checklist["log"], user=engineer)
    slow = result_record(inspection=inspection, item=checklist["page"], user=engineer, value="4.5")
    assert slow.anomaly and "3" in slow.anomaly_reason
    fine = result_record(inspection=inspection, item=checklist["page"], user=engineer, value="2")
    assert fine.pk == slow.pk and not fine.anomaly
    failed = result_record(
        inspection=inspection, item=checklist["patches"], user=engineer, passed=False
    )
    assert failed.anomaly
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.IN_PROGRESS  # recording started it


def test_change_versus_previous_inspection(world, checklist):
    before = approved(world, checklist, date(2026, 3, 2), api="100")
    inspection = make_inspection(world, checklist, due_on=date(2026, 3, 9))
    result = result_record(
        inspection=inspection, item=checklist["api"], user=world["engineer"], value="180"
    )
    assert result.anomaly
    assert result.previous.inspection == before
    assert result.previous.value == Decimal("100")
    assert "80" in result.anomaly_reason and "2026-03-02" in result.anomaly_reason
    small = result_record(
        inspection=inspection, item=checklist["api"], user=world["engineer"], value="140"
    )
    assert not small.anomaly


def test_other_engineers_and_customers_cannot_record(world, checklist):
    inspection = make_inspection(world, checklist)
    for user in (world["engineer_north"], world["customer_user"]):
        with pytest.raises(TransitionForbidden):
            result_record(inspection=inspection, item=checklist["patches"], user=user, passed=True)


# ------------------------------------------------------------------ submit and review


def test_submit_blocked_until_required_items_and_photos(world, checklist):
    inspection = make_inspection(world, checklist)
    engineer = world["engineer"]
    inspection_start(inspection=inspection, user=engineer)
    with pytest.raises(ValidationError) as error:
        inspection_submit(inspection=inspection, user=engineer)
    text = " ".join(error.value.messages)
    assert "Patches" in text and "Backup" in text and "Remarks" not in text
    record = result_record
    record(inspection=inspection, item=checklist["patches"], user=engineer, passed=True)
    record(inspection=inspection, item=checklist["log"], user=engineer, text="ok")
    record(inspection=inspection, item=checklist["page"], user=engineer, value=1)
    record(inspection=inspection, item=checklist["api"], user=engineer, value=90)
    record(inspection=inspection, item=checklist["backup"], user=engineer, passed=True)
    with pytest.raises(ValidationError) as error:
        inspection_submit(inspection=inspection, user=engineer)
    assert error.value.messages == ["需拍照：应用系统巡检 · Backup"]
    record(
        inspection=inspection,
        item=checklist["backup"],
        user=engineer,
        passed=True,
        photos=[photo()],
    )
    inspection_submit(inspection=inspection, user=engineer, summary="All fine")
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SUBMITTED and inspection.summary == "All fine"
    assert Notification.objects.filter(user=world["manager"]).exists()


def test_manager_approves_or_sends_back(world, checklist):
    inspection = make_inspection(world, checklist)
    answer_all(inspection, checklist, world["engineer"])
    inspection_submit(inspection=inspection, user=world["engineer"])
    with pytest.raises(TransitionForbidden):
        inspection_review(inspection=inspection, user=world["engineer"], approve=True)
    with pytest.raises(ValidationError):
        inspection_review(inspection=inspection, user=world["manager"], approve=False)
    inspection_review(
        inspection=inspection, user=world["manager"], approve=False, note="Photo is blurred"
    )
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.IN_PROGRESS
    assert inspection.review_note == "Photo is blurred"
    assert Notification.objects.filter(user=world["engineer"]).exists()
    inspection_submit(inspection=inspection, user=world["engineer"])
    inspection_review(inspection=inspection, user=world["manager"], approve=True)
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.APPROVED
    assert inspection.approved_by == world["manager"]


def test_customer_signs_approved_report(world, checklist):
    inspection = approved(world, checklist, date(2026, 3, 9))
    with pytest.raises(TransitionForbidden):
        inspection_sign(
            inspection=inspection,
            user=world["other_customer_user"],
            signer_name="X",
            signature=SIGNATURE,
        )
    with pytest.raises(ValidationError):
        inspection_sign(
            inspection=inspection, user=world["customer_user"], signer_name="孙丽", signature=""
        )
    inspection_sign(
        inspection=inspection, user=world["customer_user"], signer_name="孙丽", signature=SIGNATURE
    )
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.SIGNED
    assert inspection.signer_name == "孙丽"
    with inspection.signature.open("rb") as stored:
        assert stored.read().startswith(PNG[:8])
    with pytest.raises(TransitionConflict):
        inspection_sign(
            inspection=inspection,
            user=world["customer_user"],
            signer_name="孙丽",
            signature=SIGNATURE,
        )


# ------------------------------------------------------------------ rectifications


def test_rectification_from_open_to_verified(world, checklist):
    inspection = make_inspection(world, checklist)
    result = result_record(
        inspection=inspection, item=checklist["api"], user=world["engineer"], value=900
    )
    rectification = rectification_open(
        inspection=inspection,
        result=result,
        owner=world["engineer"],
        due_on=date(2026, 3, 20),
        description="Add an index",
        user=world["engineer"],
    )
    assert rectification.status == Rectification.Status.OPEN and rectification.ticket is None
    with pytest.raises(TransitionConflict):
        rectification_verify(rectification=rectification, user=world["manager"])
    with pytest.raises(ValidationError):
        rectification_done(rectification=rectification, user=world["engineer"])
    rectification_done(rectification=rectification, user=world["engineer"], note="Index added")
    with pytest.raises(TransitionForbidden):
        rectification_verify(rectification=rectification, user=world["engineer"])
    rectification = rectification_verify(rectification=rectification, user=world["manager"])
    assert rectification.status == Rectification.Status.VERIFIED
    assert rectification.verified_by == world["manager"] and rectification.verified_at


def test_fault_anomaly_opens_linked_ticket(world, checklist):
    inspection = make_inspection(world, checklist)
    result = result_record(
        inspection=inspection, item=checklist["patches"], user=world["engineer"], passed=False
    )
    rectification = rectification_open(
        inspection=inspection,
        result=result,
        owner=world["engineer"],
        due_on=date(2026, 3, 20),
        description="Install the security patch",
        user=world["engineer"],
        open_ticket=True,
    )
    ticket = Ticket.objects.get()
    assert rectification.ticket == ticket
    assert ticket.kind == "fault" and ticket.contract == world["contract"]
    assert ticket.site == world["site"] and "Patches" in ticket.summary


# ------------------------------------------------------------------ alerts


def test_reminder_and_overdue_alerts_sent_once(world, checklist, plan):
    due = make_inspection(world, checklist, due_on=date(2026, 3, 11), plan=plan)
    later = make_inspection(world, checklist, due_on=date(2026, 3, 30), plan=plan)
    assert inspections_alert(now=NOW) == 1  # 2026-03-10: two days before the 11th
    assert inspections_alert(now=NOW) == 0
    assert InspectionAlert.objects.get().inspection == due
    assert Notification.objects.filter(user=world["engineer"]).count() == 1
    overdue_at = NOW + timedelta(days=2)
    assert inspections_alert(now=overdue_at) == 1
    assert inspections_alert(now=overdue_at + timedelta(days=1)) == 0
    assert InspectionAlert.objects.filter(kind="overdue", inspection=due).exists()
    assert Notification.objects.filter(user=world["engineer"]).count() == 2
    assert Notification.objects.filter(user=world["manager"]).count() == 1
    assert not InspectionAlert.objects.filter(inspection=later).exists()


def test_submitted_inspection_is_not_overdue(world, checklist, plan):
    inspection = make_inspection(world, checklist, due_on=date(2026, 3, 9), plan=plan)
    answer_all(inspection, checklist, world["engineer"])
    inspection_submit(inspection=inspection, user=world["engineer"])
    assert inspections_alert(now=NOW) == 0


def test_a_stopped_or_shortened_plan_withdraws_its_untouched_future_inspections(plan):
    today = date(2026, 3, 2)
    inspections_generate(today=today)
    scheduled = Inspection.objects.filter(plan=plan, state=Inspection.State.SCHEDULED)
    assert scheduled.count() > 2
    started = scheduled.order_by("due_on").first()
    inspection_start(inspection=started, user=started.engineer)
    plan.ends_on = started.due_on
    plan.save()
    inspections_generate(today=today)
    assert not Inspection.objects.filter(
        plan=plan, state=Inspection.State.SCHEDULED, due_on__gt=started.due_on
    ).exists()
    started.refresh_from_db()
    assert started.state == Inspection.State.IN_PROGRESS  # work already begun stays
