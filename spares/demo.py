"""Demo spares: each branch's shelves (one part already low), the gateway contract's
substitute-device promise, and two hardware faults on the gateway at 第二水厂: one fixed
last week with a part and a substitute device, one open with its substitute clock at risk."""

from datetime import timedelta

from accounts.models import Branch, User
from contracts.models import Contract, CoveredItem
from spares.models import StockItem
from spares.services import (
    part_settle,
    part_take,
    stock_receive,
    substitute_install,
    substitute_return,
)
from tickets.models import Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_dispatch, ticket_resolve, ticket_transition
from tickets.work_services import ticket_check_in

# branch code: (part, model, serial, quantity, location, alert at)
STOCK = {
    "east": [
        ("网关电源模块", "GW-200", "", 3, "A-01-2", 2),
        ("网关主板", "GW-200", "MB-2024-0031", 1, "A-01-3", 0),
        ("网关主板", "GW-200", "MB-2024-0032", 1, "A-01-3", 0),
        ("光纤收发器", "", "", 12, "B-02-1", 4),
        ("备用数据采集网关", "GW-200", "GW-SPARE-01", 1, "C-01", 0),
    ],
    "central": [
        ("一体机触摸屏", "KS-55", "", 1, "一号库 3 排", 1),
        ("一体机电源适配器", "KS-55", "", 4, "一号库 3 排", 2),
    ],
    "north": [("渗压传感器", "SY-10", "", 5, "备件柜 2", 2)],
}

SUBSTITUTE_HOURS = 24
OPEN_SUMMARY = "第二水厂数据采集网关反复断电重启"
FIXED_SUMMARY = "第二水厂数据采集网关电源故障"


def demo_spares(*, now) -> None:
    if Ticket.objects.filter(summary=OPEN_SUMMARY).exists():
        return
    manager = User.objects.get(username="manager")
    for code, rows in STOCK.items():
        branch = Branch.objects.get(code=code)
        for name, model, serial, quantity, location, level in rows:
            if not StockItem.objects.filter(
                branch=branch, name=name, serial_number=serial
            ).exists():
                stock_receive(
                    user=manager,
                    branch=branch,
                    name=name,
                    model=model,
                    serial_number=serial,
                    quantity=quantity,
                    location=location,
                    reorder_level=level,
                )
    # The water group's contract covers its gateways: a substitute within 24 h (seed 002).
    contract = Contract.objects.get(number="DJ-2024-017")
    contract.substitute_device_hours = SUBSTITUTE_HOURS
    contract.save(update_fields=["substitute_device_hours", "updated_at"])
    gateway = CoveredItem.objects.get(serial_number="DJ-HW-0107")
    _fixed_last_week(contract, gateway, now=now)
    _open_with_substitute_due(contract, gateway, now=now)


def _hardware_fault(contract, gateway, *, summary: str, reported):
    return ticket_create(
        created_by=User.objects.get(username="agent"),
        contract=contract,
        site=gateway.site,
        covered_item=gateway,
        kind="fault",
        priority="P2",
        summary=summary,
        channel="phone",
        reported_at=reported,
        now=reported,
    )


def _visit(ticket, *, reported):
    agent = User.objects.get(username="agent")
    engineer = User.objects.get(username="engineer")
    ticket_transition(
        ticket_id=ticket.pk, name="acknowledge", user=agent, now=reported + timedelta(minutes=10)
    )
    ticket_dispatch(
        ticket_id=ticket.pk, user=agent, engineer=engineer, now=reported + timedelta(minutes=15)
    )
    ticket_transition(
        ticket_id=ticket.pk, name="depart", user=engineer, now=reported + timedelta(minutes=30)
    )
    ticket_check_in(
        ticket=ticket,
        user=engineer,
        latitude="31.11",
        longitude="121.38",
        accuracy="20",
        now=reported + timedelta(hours=2),
    )
    return engineer


def _fixed_last_week(contract, gateway, *, now) -> None:
    reported = now - timedelta(days=7)
    ticket = _hardware_fault(contract, gateway, summary=FIXED_SUMMARY, reported=reported)
    engineer = _visit(ticket, reported=reported)
    at = reported + timedelta(hours=3)
    spare = StockItem.objects.get(serial_number="GW-SPARE-01")
    substitute = substitute_install(
        ticket=ticket,
        user=engineer,
        device=spare.name,
        model=spare.model,
        serial_number=spare.serial_number,
        location="二水厂中控室 2 号机柜",
        now=at,
    )
    psu = StockItem.objects.get(name="网关电源模块", branch__code="east")
    use = part_take(
        ticket=ticket, user=engineer, stock_item=psu, quantity=2, now=at + timedelta(hours=15)
    )
    part_settle(
        use=use, user=engineer, used=1, note="更换损坏的电源模块", now=at + timedelta(hours=16)
    )
    ticket_resolve(
        ticket_id=ticket.pk,
        user=engineer,
        report={
            "symptoms": "网关频繁断电",
            "analysis": "电源模块输出电压不稳",
            "cause": "电源模块老化",
            "solution": "更换电源模块",
            "prevention": "每季度检查电源输出",
        },
        now=at + timedelta(hours=16, minutes=30),
    )
    substitute_return(substitute=substitute, user=engineer, now=at + timedelta(hours=17))


def _open_with_substitute_due(contract, gateway, *, now) -> None:
    reported = now - timedelta(hours=20)
    ticket = _hardware_fault(contract, gateway, summary=OPEN_SUMMARY, reported=reported)
    engineer = _visit(ticket, reported=reported)
    board = StockItem.objects.get(serial_number="MB-2024-0031")
    part_take(
        ticket=ticket,
        user=engineer,
        stock_item=board,
        quantity=1,
        now=reported + timedelta(hours=3),
    )
