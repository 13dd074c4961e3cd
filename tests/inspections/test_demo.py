"""The demo: checklists from seed 004, plans, a generated schedule, last week's approved
inspection with an anomaly and an open rectification; loading twice changes nothing."""

import pytest
from django.utils import timezone

from inspections.models import ChecklistTemplate, Inspection, InspectionPlan, Rectification
from inspections.selectors import checklist_rows
from servicedesk.demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_inspections(installed_defaults):
    today = timezone.localdate()
    demo_load(today=today)
    counts = [
        ChecklistTemplate.objects.count(),
        InspectionPlan.objects.count(),
        Inspection.objects.count(),
        Rectification.objects.count(),
    ]
    assert set(ChecklistTemplate.objects.values_list("code", flat=True)) == {
        "weekly-system",
        "annual-health",
    }
    done = Inspection.objects.get(state=Inspection.State.APPROVED)
    assert done.results.filter(anomaly=True).exists()
    assert Rectification.objects.get().status == Rectification.Status.OPEN
    current = Inspection.objects.get(contract__number="DJ-2024-017", due_on=today)
    assert current.engineer.username == "engineer"
    rows = [row for block in checklist_rows(current) for row in block.rows]
    assert any(row.previous is not None and row.previous.value for row in rows)
    assert Inspection.objects.filter(contract__number="QC-2021-042").exists()
    demo_load(today=today)
    assert counts == [
        ChecklistTemplate.objects.count(),
        InspectionPlan.objects.count(),
        Inspection.objects.count(),
        Rectification.objects.count(),
    ]
