"""Demo penalty terms on two contracts, the penalties of the demo's breaches in their
ledgers, and a third-party repair the cultural bureau paid for while our visit was late."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts.models import Contract
from deductions.models import PenaltyPlan, PenaltyRule, ThirdPartyRepair
from deductions.services import penalties_record, third_party_repair_record
from tickets.models import Ticket
from tickets.models.clocks import ticket_breached_q

# contract: (value, cap, {clock kind: ("fixed", amount) or ("share", percent)})
PLANS = {
    "DJ-2024-017": (
        Decimal("1280000.00"),
        Decimal("64000.00"),
        {
            "response": ("fixed", Decimal("500")),
            "onsite": ("fixed", Decimal("1000")),
            "resolution": ("share", Decimal("0.1")),
            "substitute": ("fixed", Decimal("2000")),
        },
    ),
    "QC-2021-042": (
        Decimal("860000.00"),
        None,
        {"onsite": ("fixed", Decimal("800")), "resolution": ("fixed", Decimal("1500"))},
    ),
}
REPAIRED_SUMMARY = "自助服务一体机无法开机"


def demo_deductions(*, now) -> None:
    for number, (value, cap, rules) in PLANS.items():
        plan, _created = PenaltyPlan.objects.update_or_create(
            contract=Contract.objects.get(number=number),
            # The terms hold from the contract's signing: every breach the demo has counts.
            defaults={
                "contract_value": value,
                "cap": cap,
                "applies_from": now - timedelta(days=365),
            },
        )
        for kind, (method, figure) in rules.items():
            PenaltyRule.objects.update_or_create(
                plan=plan,
                clock_kind=kind,
                defaults={
                    "method": method,
                    "amount": figure if method == "fixed" else None,
                    "share_percent": figure if method == "share" else None,
                },
            )
    penalties_record(now=now)
    # Our visit to the self-service kiosk is late (4 h on site): the bureau called a local shop.
    ticket = Ticket.objects.filter(ticket_breached_q(now), summary=REPAIRED_SUMMARY).first()
    if ticket is not None and not ThirdPartyRepair.objects.exists():
        third_party_repair_record(
            ticket=ticket,
            user=User.objects.get(username="manager"),
            company="青川市文化路电子维修部",
            cost="1800.00",
            repaired_on=timezone.localdate(now),
            note="采购人自行委托，发票已提交",
            now=now,
        )
