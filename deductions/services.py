"""Writes on the ledgers: the penalty of each recorded breach (run by beat, and by
`manage.py deductions_record`), and a third-party repair with its cost."""

from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_date, clean_number, clean_text
from core.translatable import Message
from core.uploads import file_validate
from deductions import permissions as may
from deductions.models import Deduction, PenaltyPlan, PenaltyRule, ThirdPartyRepair
from deductions.selectors import ZERO
from tickets.models import SlaClock, Ticket, TicketEvent
from tickets.models.clocks import ticket_breached_q
from tickets.models.records import event_note

CENT = Decimal("0.01")
MAX_COST = Decimal("999999999999.99")


def penalty_due(rule: PenaltyRule, plan: PenaltyPlan) -> Decimal | None:
    """What one breach costs under this rule: its amount, or its share of the contract value;
    None while that value is not entered (the breach waits in line until it is)."""
    if rule.method == PenaltyRule.Method.FIXED:
        return rule.amount or ZERO
    if plan.contract_value is None or rule.share_percent is None:
        return None
    return (plan.contract_value * rule.share_percent / 100).quantize(CENT, ROUND_HALF_UP)


def _breaches_unrecorded(now: datetime, limit: int):
    """Breached clocks of contracts with penalty terms for their kind, not in a ledger yet.

    One filter() call, so that the rule's kind and method are those of the same rule (a
    second call would join the rules again). A share of a value not entered yet cannot be
    charged: such breaches wait, out of the batch, until it is.
    """
    rules = "ticket__contract__penalty_plan__rules__"
    return (
        SlaClock.objects.filter(
            Q(**{f"{rules}method": PenaltyRule.Method.FIXED})
            | Q(ticket__contract__penalty_plan__contract_value__isnull=False),
            breached_at__isnull=False,
            breached_at__lte=now,
            deduction__isnull=True,
            breached_at__gte=F("ticket__contract__penalty_plan__applies_from"),
            **{f"{rules}clock_kind": F("kind")},
        )
        .select_related("ticket")
        .order_by("breached_at", "pk")[:limit]
    )


def penalties_record(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Put the penalty of each breach recorded since the last run into its contract's ledger,
    oldest breach first, up to the contract's cap. Idempotent: a clock has at most one line
    (unique), and each contract's lines are written under a lock on its penalty terms, so
    two runs at once write each line once and keep the cap. Returns the lines written."""
    now = now or timezone.now()
    by_contract: dict[int, list[SlaClock]] = {}
    for clock in _breaches_unrecorded(now, limit):
        by_contract.setdefault(clock.ticket.contract_id, []).append(clock)
    written = 0
    for contract_id, clocks in by_contract.items():
        written += _contract_penalties(contract_id, clocks)
    return written


@transaction.atomic
def _contract_penalties(contract_id: int, clocks: list[SlaClock]) -> int:
    plan = PenaltyPlan.objects.select_for_update().get(contract_id=contract_id)
    rules = {rule.clock_kind: rule for rule in plan.rules.all()}
    already = set(Deduction.objects.filter(clock__in=clocks).values_list("clock_id", flat=True))
    charged = sum(
        Deduction.objects.filter(contract_id=contract_id, kind=Deduction.Kind.PENALTY).values_list(
            "amount", flat=True
        ),
        ZERO,
    )
    lines = []
    for clock in clocks:
        rule = rules.get(clock.kind)
        if clock.pk in already or rule is None:
            continue
        due = penalty_due(rule, plan)
        if due is None:
            continue
        amount = due if plan.cap is None else max(min(due, plan.cap - charged), ZERO)
        charged += amount
        lines.append(
            Deduction(
                contract_id=contract_id,
                ticket_id=clock.ticket_id,
                kind=Deduction.Kind.PENALTY,
                clock=clock,
                occurred_at=clock.breached_at,
                amount=amount,
                uncapped=due,
            )
        )
    Deduction.objects.bulk_create(lines)
    return len(lines)


@transaction.atomic
def third_party_repair_record(
    *,
    ticket: Ticket,
    user: User,
    company,
    cost,
    repaired_on,
    invoice=None,
    note="",
    now: datetime | None = None,
) -> ThirdPartyRepair:
    """A repair the buyer had done by a third party because ours was late (seed 004, 7.2.1):
    its cost goes into the contract's ledger in full, with the ticket that caused it."""
    if not may.record_third_party(user):
        raise TransitionForbidden(_("You may not record third-party repairs."))
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    late = Ticket.objects.filter(ticket_breached_q(now), pk=ticket.pk).exists()
    if ticket.contract_id is None or not late:
        raise TransitionConflict(
            _("Only a ticket with a breached promise can be repaired by a third party at our cost.")
        )
    errors = {}
    values = {}
    for field, clean in (
        ("company", lambda: clean_text(company, field="company", max_length=200).strip()),
        (
            "cost",
            lambda: clean_number(
                cost, field="cost", minimum=0, maximum=MAX_COST, places=2, required=True
            ),
        ),
        ("repaired_on", lambda: clean_date(repaired_on, field="repaired_on", required=True)),
        ("note", lambda: clean_text(note, field="note", max_length=500).strip()),
        ("invoice", lambda: file_validate(invoice, field="invoice") or invoice),
    ):
        try:
            values[field] = clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors.get("company") and not values.get("company"):
        errors["company"] = [_("This field is required.")]
    day = values.get("repaired_on")
    if day is not None:
        reported = timezone.localdate(ticket.reported_at)
        if not reported <= day <= timezone.localdate(now):
            errors["repaired_on"] = [
                _("Between the day the fault was reported (%(day)s) and today.")
                % {"day": reported.isoformat()}
            ]
    if errors:
        raise ValidationError(errors)
    repair = ThirdPartyRepair.objects.create(
        ticket=ticket,
        company=values["company"],
        cost=values["cost"],
        repaired_on=day,
        invoice=values["invoice"] or "",
        note=values["note"],
        recorded_by=user,
    )
    # The day's noon, or now when it was repaired this morning: never a moment to come.
    noon = datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())
    occurred = min(noon, now)
    Deduction.objects.create(
        contract_id=ticket.contract_id,
        ticket=ticket,
        kind=Deduction.Kind.THIRD_PARTY,
        repair=repair,
        occurred_at=occurred,
        amount=repair.cost,
        uncapped=repair.cost,
    )
    message = Message(
        gettext_lazy("Repaired by a third party: %(company)s, %(cost)s CNY deducted"),
        params={"company": repair.company, "cost": str(repair.cost)},
    )
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        at=now,
        actor=user,
        **event_note(message),
        data={"action": "third_party_repair", "repair": repair.pk},
    )
    return repair
