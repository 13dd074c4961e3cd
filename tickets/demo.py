"""Demo tickets: a queue with something in every state, worked through the real services.

Loading twice changes nothing: the first demo ticket found means they are all there.
"""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts.models import Contract
from core.translatable import Message
from tickets.change_requests import change_evaluate, change_sign
from tickets.complaints import complaint_answer
from tickets.escalation import sweep_due_steps
from tickets.models import Ticket
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_dispatch, ticket_resolve, ticket_transition
from tickets.trial_answers import trial_answer_save, trial_fix_deployed
from tickets.work_services import ticket_check_in

DEMO_CLOSE_NOTE = gettext_lazy("The customer confirmed on the phone that it works again.")

# (contract, site, kind, priority, summary, minutes ago, steps taken)
DEMO_TICKETS = [
    ("DJ-2024-017", "调度中心", "fault", "P1", "调度大屏画面冻结，数据不刷新", 20, []),
    (
        "DJ-2024-017",
        "第二水厂",
        "fault",
        "P2",
        "二水厂数据采集网关离线",
        150,
        ["acknowledge", "dispatch"],
    ),
    ("QC-2021-042", "数字文化馆", "fault", "P1", "自助服务一体机无法开机", 300, ["acknowledge"]),
    (
        "BC-2026-003",
        "生产指挥中心",
        "consultation",
        "P3",
        "如何导出上月产量报表",
        90,
        ["acknowledge", "resolve"],
    ),
    ("NH-2022-008", "水库监测站", "fault", "P2", "渗压遥测终端数据中断", 60, []),
    ("DJ-2024-017", "调度中心", "change_request", "P3", "新增水质超标短信告警", 240, []),
    (
        "DJ-2024-017",
        "调度中心",
        "fault",
        "P2",
        "历史曲线查询超时",
        60 * 24 * 6,
        ["acknowledge", "dispatch", "depart", "check_in", "resolve", "close"],
    ),
]


def demo_tickets(*, now: datetime) -> None:
    """A queue with something in every state: at risk, breached, on site, not covered, closed."""
    if Ticket.objects.filter(summary=DEMO_TICKETS[0][4]).exists():
        return
    agent = User.objects.get(username="agent")
    engineer = User.objects.get(username="engineer")
    report = {
        "symptoms": "用户反馈查询无响应",
        "analysis": "数据库慢查询日志显示全表扫描",
        "cause": "历史表缺少时间索引",
        "solution": "增加索引并重建统计信息",
        "prevention": "每月巡检慢查询日志",
    }
    for number, site_name, kind, priority, summary, minutes_ago, steps in DEMO_TICKETS:
        contract = Contract.objects.get(number=number)
        reported = now - timedelta(minutes=minutes_ago)
        ticket = ticket_create(
            created_by=agent,
            contract=contract,
            site=contract.sites.get(name=site_name),
            kind=kind,
            priority=priority,
            summary=summary,
            channel="phone",
            reported_at=reported,
            now=reported,
        )
        moment = reported
        for step in steps:
            moment += timedelta(minutes=min(25, minutes_ago // (len(steps) + 1)))
            if step == "dispatch":
                ticket_dispatch(ticket_id=ticket.pk, user=agent, engineer=engineer, now=moment)
            elif step == "resolve":
                ticket_resolve(ticket_id=ticket.pk, user=agent, report=report, now=moment)
            elif step == "check_in":
                # The same service as the page and the API, so the demo has a CheckIn too.
                ticket_check_in(
                    ticket=ticket,
                    user=engineer,
                    latitude="23.12",
                    longitude="113.26",
                    accuracy="15",
                    now=moment,
                )
            else:
                user = engineer if step == "depart" else agent
                # Closing needs its reason, as for anyone at the desk.
                note = Message(DEMO_CLOSE_NOTE) if step == "close" else ""
                ticket_transition(ticket_id=ticket.pk, name=step, user=user, note=note, now=moment)
    _demo_changes(agent=agent, now=now)
    _demo_complaints(agent=agent, now=now)
    _demo_trial(agent=agent, now=now)
    sweep_due_steps(now=now)


def _demo_changes(*, agent: User, now: datetime) -> None:
    """The change requests' sign-offs (tickets/change_requests.py): the water group signed
    the SMS alert request 3 hours ago and we have not evaluated it yet (our response is
    late); the monthly report was signed and evaluated and waits for their acceptance."""
    customer = User.objects.get(username="customer")
    late = Ticket.objects.get(summary="新增水质超标短信告警")
    change_sign(ticket=late, user=customer, approve=True, now=now - timedelta(hours=3))
    contract = Contract.objects.get(number="DJ-2024-017")
    reported = now - timedelta(days=2)
    ticket = ticket_create(
        created_by=agent,
        contract=contract,
        site=contract.sites.get(name="调度中心"),
        kind="change_request",
        priority="P3",
        summary="调度报表增加水质月报",
        channel="email",
        reported_at=reported,
        now=reported,
    )
    change_sign(ticket=ticket, user=customer, approve=True, now=reported + timedelta(hours=2))
    change_evaluate(
        ticket=ticket,
        user=User.objects.get(username="manager"),
        scope="调度报表新增“水质月报”页：各水厂出厂水浊度、余氯、pH 月均值与超标次数",
        effort="6 人日",
        schedule="下周二至周四开发，周五晚 22:00 上线，停机 30 分钟",
        architecture="新增一个数据库视图与一个报表模板，不改变现有接口与部署",
        now=reported + timedelta(hours=2, minutes=20),
    )


def _demo_complaints(*, agent: User, now: datetime) -> None:
    """Two complaints (tickets/complaints.py): one from last week that the service manager
    answered in time, one from this morning waiting for the answer."""
    contract = Contract.objects.get(number="DJ-2024-017")
    site = contract.sites.get(name="调度中心")
    answered_at = now - timedelta(days=6, hours=20)
    old = ticket_create(
        created_by=agent,
        contract=contract,
        site=site,
        kind="complaint",
        priority="P3",
        summary="工程师到场后未说明处理进展",
        channel="phone",
        reported_at=now - timedelta(days=7),
        now=now - timedelta(days=7),
    )
    complaint_answer(
        ticket=old,
        user=User.objects.get(username="manager"),
        finding="工程师到场后直接处理，未向值班调度说明进展和预计恢复时间。",
        justified=True,
        action="已对华东服务中心工程师进行沟通规范培训；今后到场、离场均向值班调度口头报告。",
        answer="您好，经核实情况属实，我们已对相关工程师进行了培训，今后到场和离场都会向值班调度说明进展。感谢您的监督。",
        now=answered_at,
    )
    ticket_create(
        created_by=agent,
        contract=contract,
        site=site,
        kind="complaint",
        priority="P3",
        summary="热线电话早上八点无人接听",
        channel="phone",
        reported_at=now - timedelta(hours=5),
        now=now - timedelta(hours=5),
    )


def _demo_trial(*, agent: User, now: datetime) -> None:
    """Three faults of the oilfield's system in trial operation (tickets/trial_answers.py):
    one taken 45 minutes ago whose answer still lacks the fix date and size, one answered
    as a large problem, one fixed, deployed and waiting for the customer to confirm."""
    contract = Contract.objects.get(number="BC-2026-003")
    site = contract.sites.get(name="生产指挥中心")

    def fault(summary: str, hours_ago: float) -> Ticket:
        reported = now - timedelta(hours=hours_ago)
        return ticket_create(
            created_by=agent,
            contract=contract,
            site=site,
            kind="fault",
            priority="P2",
            summary=summary,
            channel="phone",
            reported_at=reported,
            now=reported,
        )

    waiting = fault("实时产量曲线偶发断点", 0.75)
    ticket_transition(
        ticket_id=waiting.pk,
        name="acknowledge",
        user=agent,
        now=waiting.reported_at + timedelta(minutes=5),
    )
    trial_answer_save(
        ticket=waiting,
        user=agent,
        cause="采集服务在整点重连时丢弃了缓存中的数据点，正在确认影响范围。",
        now=waiting.reported_at + timedelta(minutes=30),
    )
    large = fault("报警推送延迟约 10 分钟", 5)
    trial_answer_save(
        ticket=large,
        user=agent,
        cause="报警队列与数据采集共用一个线程池，采集高峰时报警排队。",
        fix_due_at=large.reported_at + timedelta(hours=40),
        size="large",
        now=large.reported_at + timedelta(minutes=100),
    )
    fixed = fault("单井日报导出超时", 26)
    trial_answer_save(
        ticket=fixed,
        user=agent,
        cause="单井日报查询缺少按井号和日期的复合索引，数据量增长后全表扫描。",
        fix_due_at=fixed.reported_at + timedelta(hours=20),
        size="small",
        now=fixed.reported_at + timedelta(minutes=80),
    )
    trial_fix_deployed(
        ticket=fixed,
        user=agent,
        deployment="V7.1.3：单井日报查询增加复合索引，内测导出 3 万行用时 4 秒。",
        tested=True,
        now=fixed.reported_at + timedelta(hours=18),
    )
    ticket_resolve(
        ticket_id=fixed.pk,
        user=agent,
        report={
            "symptoms": "导出单井日报时页面等待超过 2 分钟后报错",
            "cause": "单井日报查询缺少复合索引",
            "solution": "发布 V7.1.3，增加复合索引",
        },
        now=fixed.reported_at + timedelta(hours=18, minutes=30),
    )
