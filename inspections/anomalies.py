"""When an inspection's answer is an anomaly: the rule, apart from storing it."""

from decimal import Decimal

from django.utils.translation import gettext as _

from inspections.models import ChecklistItem, InspectionResult


def anomalies(
    item: ChecklistItem, *, passed, value, previous: InspectionResult | None
) -> list[str]:
    """Why an answer is an anomaly, in the words the reviewer reads; empty when it is none.

    A failed check; a measured value outside the item's range; or a value changed since
    the previous inspection by more than the item's threshold (seed 004, 7.3.2: compare
    with the previous period).
    """
    kind = ChecklistItem.AnswerKind
    if item.answer_kind == kind.PASS_FAIL and passed is False:
        return [_("check failed")]
    if item.answer_kind != kind.NUMBER or value is None:
        return []
    return [*_out_of_range(item, value), *_changed(item, value, previous)]


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _out_of_range(item: ChecklistItem, value: Decimal) -> list[str]:
    unit = f" {item.unit}" if item.unit else ""
    reasons = []
    if item.min_value is not None and value < item.min_value:
        reasons.append(
            _("below the lowest acceptable %(limit)s") % {"limit": _fmt(item.min_value) + unit}
        )
    if item.max_value is not None and value > item.max_value:
        reasons.append(
            _("above the highest acceptable %(limit)s") % {"limit": _fmt(item.max_value) + unit}
        )
    return reasons


def _changed(item: ChecklistItem, value: Decimal, previous: InspectionResult | None) -> list[str]:
    if item.change_threshold_percent is None or previous is None or previous.value is None:
        return []
    since = previous.inspection.due_on.isoformat()
    if previous.value == 0:
        # No percentage from zero, but going from nothing to something is a change.
        return [_("changed from 0 since %(date)s") % {"date": since}] if value != 0 else []
    change = abs(value - previous.value) / abs(previous.value) * 100
    if change <= item.change_threshold_percent:
        return []
    return [
        _("changed by %(percent)s %% since %(date)s") % {"percent": f"{change:.0f}", "date": since}
    ]
