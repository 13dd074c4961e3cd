"""Writes on inspections, by what they do: the schedule and its alerts (scheduling), carrying
an inspection out to its signed report (visits), rectifications; every status change taken
as workflow says. The pages also ask here who may act (inspections.permissions)."""

from inspections.models import OPEN_STATES
from inspections.permissions import (
    is_manager,
    may_carry_out,
    may_read_report,
    may_verify,
    may_verify_contract,
)
from inspections.services.rectifications import (
    rectification_done,
    rectification_open,
    rectification_verify,
)
from inspections.services.scheduling import (
    inspections_alert,
    inspections_generate,
)
from inspections.services.visits import (
    inspection_review,
    inspection_sign,
    inspection_start,
    inspection_submit,
    missing_items,
    result_record,
)

__all__ = [
    "OPEN_STATES",
    "inspection_review",
    "inspection_sign",
    "inspection_start",
    "inspection_submit",
    "inspections_alert",
    "inspections_generate",
    "is_manager",
    "may_carry_out",
    "may_read_report",
    "may_verify",
    "may_verify_contract",
    "missing_items",
    "rectification_done",
    "rectification_open",
    "rectification_verify",
    "result_record",
]
