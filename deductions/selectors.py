"""Reading the ledgers: the contracts a person may see the deductions of, a contract's lines
and totals, and the deductions of a period for the monthly report."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from accounts.selectors import customer_id_of
from contracts.models import Contract
from deductions import permissions as may
from deductions.models import Deduction, PenaltyPlan
from tickets.models import Ticket

ZERO = Decimal("0.00")


def readable_contracts(user) -> QuerySet[Contract]:
    """The contracts whose ledger this user may read: every one for the management and
    leadership groups, a customer contact's own organisation's, none for anyone else."""
    if may.see_all_ledgers(user):
        return Contract.objects.all()
    customer_id = customer_id_of(user) if user.is_authenticated else None
    if customer_id is None:
        return Contract.objects.none()
    return Contract.objects.filter(customer_id=customer_id)


def ledger_contracts(user) -> QuerySet[Contract]:
    """Those of `readable_contracts` with penalty terms or deductions: the ledgers' list."""
    return (
        readable_contracts(user)
        .filter(Q(penalty_plan__isnull=False) | Q(deductions__isnull=False))
        .distinct()
    )


def repair_ticket(user, number: str, *, contract: Contract | None = None) -> Ticket | None:
    """The ticket a third-party repair is recorded on: by its number, on a contract whose
    ledger this user reads (and on `contract`, when the repair is entered on its ledger)."""
    tickets = Ticket.objects.filter(
        number=str(number)[:20], contract__in=readable_contracts(user).values("pk")
    )
    if contract is not None:
        tickets = tickets.filter(contract=contract)
    return tickets.first()


def ledger_lines(contract: Contract) -> QuerySet[Deduction]:
    return contract.deductions.select_related("ticket", "clock", "repair").order_by(
        "-occurred_at", "-pk"
    )


@dataclass
class LedgerTotals:
    penalties: Decimal
    third_party: Decimal
    cap: Decimal | None

    @property
    def total(self) -> Decimal:
        return self.penalties + self.third_party

    @property
    def cap_left(self) -> Decimal | None:
        return None if self.cap is None else max(self.cap - self.penalties, ZERO)


def _sums(lines: QuerySet[Deduction]) -> dict[str, Decimal]:
    found = lines.order_by().values("kind").annotate(amount=Sum("amount"))
    return {row["kind"]: row["amount"] or ZERO for row in found}


def ledgers_totals(contracts: list[Contract]) -> list[tuple[Contract, LedgerTotals]]:
    """Each contract with its ledger's totals: two queries, however many contracts."""
    ids = [contract.pk for contract in contracts]
    sums: dict[tuple[int, str], Decimal] = {
        (row["contract_id"], row["kind"]): row["amount"] or ZERO
        for row in Deduction.objects.filter(contract_id__in=ids)
        .order_by()
        .values("contract_id", "kind")
        .annotate(amount=Sum("amount"))
    }
    caps = dict(PenaltyPlan.objects.filter(contract_id__in=ids).values_list("contract_id", "cap"))
    return [
        (
            contract,
            LedgerTotals(
                penalties=sums.get((contract.pk, Deduction.Kind.PENALTY), ZERO),
                third_party=sums.get((contract.pk, Deduction.Kind.THIRD_PARTY), ZERO),
                cap=caps.get(contract.pk),
            ),
        )
        for contract in contracts
    ]


def ledger_totals(contract: Contract) -> LedgerTotals:
    return ledgers_totals([contract])[0][1]


def deductions_between(start: datetime, end: datetime, *, contract_id=None, customer_id=None):
    """The ledger lines of [start, end), for the monthly SLA report: lines and totals."""
    lines = Deduction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if contract_id is not None:
        lines = lines.filter(contract_id=contract_id)
    if customer_id is not None:
        lines = lines.filter(contract__customer_id=customer_id)
    sums = _sums(lines)
    return (
        lines.select_related("contract", "ticket", "clock").order_by("occurred_at", "pk"),
        LedgerTotals(
            penalties=sums.get(Deduction.Kind.PENALTY, ZERO),
            third_party=sums.get(Deduction.Kind.THIRD_PARTY, ZERO),
            cap=None,
        ),
    )


def deducted_per_ticket(ticket_ids: list[int]) -> dict[int, Decimal]:
    """What each of these tickets cost in deductions so far, for the tickets that cost any."""
    found = (
        Deduction.objects.filter(ticket_id__in=ticket_ids)
        .order_by()
        .values("ticket_id")
        .annotate(amount=Sum("amount"))
    )
    return {row["ticket_id"]: row["amount"] for row in found}
