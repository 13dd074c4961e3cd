"""Inspections (巡检): checklists, plans per contract, inspections, results, rectifications,
and the events that record each status change."""

from inspections.models.checklists import ChecklistItem, ChecklistSection, ChecklistTemplate
from inspections.models.events import InspectionEvent
from inspections.models.inspections import (
    OPEN_STATES,
    Inspection,
    InspectionAlert,
    InspectionPhoto,
    InspectionPlan,
    InspectionResult,
)
from inspections.models.rectifications import Rectification

__all__ = [
    "OPEN_STATES",
    "ChecklistItem",
    "ChecklistSection",
    "ChecklistTemplate",
    "Inspection",
    "InspectionAlert",
    "InspectionEvent",
    "InspectionPhoto",
    "InspectionPlan",
    "InspectionResult",
    "Rectification",
]
