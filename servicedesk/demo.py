"""A coherent demo: customers, contracts in every phase, staff of every role.

Dates are relative to today, so the contracts are in trial, warranty, after
warranty and expired whenever the demo is loaded. Loading twice changes
nothing: every row is found by its natural key first. Names and numbers are
invented; none come from the seed documents.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Branch, User
from accounts.roles import Role
from accounts.services import user_assign_role
from contracts.models import (
    Calendar,
    Contact,
    Contract,
    ContractTemplate,
    CoveredItem,
    Customer,
    Site,
    WorkingWindow,
)
from contracts.phases import AfterWarranty, Phase
from contracts.services import (
    calendar_import_holidays,
    contract_apply_template,
    template_terms_set,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    name: str


DEMO_LOGINS = [
    DemoLogin("admin", "admin", "系统管理员"),
    DemoLogin("agent", Role.AGENT, "王敏"),
    DemoLogin("engineer", Role.ENGINEER, "陈杰"),
    DemoLogin("manager", Role.MANAGER, "刘洋"),
    DemoLogin("leader", Role.LEADER, "赵刚"),
    DemoLogin("customer", Role.CUSTOMER, "孙丽"),
]


def _months_ago(today: date, months: int, day_offset: int = 0) -> date:
    from contracts.phases import add_months

    return add_months(today, -months) + timedelta(days=day_offset)


def _calendars() -> tuple[Calendar, Calendar]:
    always, _ = Calendar.objects.update_or_create(
        code="7x24",
        defaults={
            "name": "7×24",
            "kind": Calendar.Kind.ALWAYS_ON,
            "description": "全天候：每一分钟都计入时限。",
        },
    )
    business, _ = Calendar.objects.update_or_create(
        code="cn-business",
        defaults={
            "name": "工作日 09:00–18:00（午休 12:00–13:30）",
            "kind": Calendar.Kind.BUSINESS_HOURS,
            "description": "周一至周五，含法定节假日与调休上班日。",
        },
    )
    if not business.windows.exists():
        WorkingWindow.objects.bulk_create(
            WorkingWindow(calendar=business, weekday=wd, starts_at=start, ends_at=end)
            for wd in range(5)
            for start, end in [(time(9), time(12)), (time(13, 30), time(18))]
        )
    return always, business


def _terms(phase, priority, response, onsite, resolution, calendars, *, repair=None, pause=True):
    response_cal, onsite_cal, resolution_cal = calendars
    return {
        "phase": phase,
        "priority": priority,
        "response_minutes": response,
        "onsite_minutes": onsite,
        "resolution_minutes": resolution,
        "repair_days": repair,
        "pause_on_customer": pause,
        "response_calendar": response_cal,
        "onsite_calendar": onsite_cal,
        "resolution_calendar": resolution_cal,
    }


def _templates(always: Calendar, business: Calendar) -> dict[str, ContractTemplate]:
    h = 60
    all_day = (always, always, always)
    minor = (always, business, business)
    specs = {
        "software-3y": (
            "软件三年质保（7×24，30 分钟响应，4 小时到场，24 小时解决）",
            "Seed 000: 3-year warranty from the day after final acceptance; 7×24 hotline, "
            "response within 30 min, on site within 4 h, resolved within 24 h; trial "
            "operation answered within 2 h, small problems fixed in 1 day, large in 2; "
            "after warranty lifetime repair, response 30 min, on site 10 h, resolved 24 h.",
            36,
            AfterWarranty.LIFETIME,
            None,
            [
                _terms(Phase.TRIAL, "P1", 2 * h, None, 48 * h, all_day),
                _terms(Phase.TRIAL, "P2", 2 * h, None, 48 * h, all_day),
                _terms(Phase.TRIAL, "P3", 2 * h, None, 24 * h, all_day),
                _terms(Phase.WARRANTY, "P1", 30, 4 * h, 24 * h, all_day),
                _terms(Phase.WARRANTY, "P2", 30, 4 * h, 24 * h, all_day),
                _terms(Phase.WARRANTY, "P3", 30, 4 * h, 24 * h, minor),
                _terms(Phase.AFTER_WARRANTY, "P1", 30, 10 * h, 24 * h, all_day),
                _terms(Phase.AFTER_WARRANTY, "P2", 30, 10 * h, 24 * h, all_day),
                _terms(Phase.AFTER_WARRANTY, "P3", 30, 10 * h, 24 * h, minor),
            ],
        ),
        "defect-2y": (
            "工程两年缺陷责任期（3 小时到场）",
            "Seed 004: 2-year defect liability period; 7×24 support; engineer on site "
            "within 3 h of notice, or the customer may hire a third party at the vendor's cost.",
            24,
            AfterWarranty.NONE,
            None,
            [
                _terms(Phase.TRIAL, "P1", 30, 3 * h, 24 * h, all_day),
                _terms(Phase.TRIAL, "P2", 30, 3 * h, 24 * h, all_day),
                _terms(Phase.TRIAL, "P3", 60, 3 * h, 48 * h, minor),
                _terms(Phase.WARRANTY, "P1", 30, 3 * h, 24 * h, all_day),
                _terms(Phase.WARRANTY, "P2", 30, 3 * h, 24 * h, all_day),
                _terms(Phase.WARRANTY, "P3", 60, 3 * h, 48 * h, minor),
            ],
        ),
        "hardware-3y": (
            "硬件三年质保（7 天修复或更换，24 小时未修复提供备用设备）",
            "Seed 002: hardware warranty of 3 years from acceptance; response within 1 h, "
            "on site within 4 h, hardware repaired or replaced within 7 days, a substitute "
            "device if not fixed within 24 h; lifetime 7×24 response and 4 h on site afterwards.",
            36,
            AfterWarranty.LIFETIME,
            24,
            [
                _terms(Phase.TRIAL, "P1", 60, 4 * h, 24 * h, all_day, repair=7),
                _terms(Phase.TRIAL, "P2", 60, 4 * h, 24 * h, all_day, repair=7),
                _terms(Phase.TRIAL, "P3", 120, 24 * h, 48 * h, minor, repair=7),
                _terms(Phase.WARRANTY, "P1", 60, 4 * h, 24 * h, all_day, repair=7),
                _terms(Phase.WARRANTY, "P2", 60, 4 * h, 24 * h, all_day, repair=7),
                _terms(Phase.WARRANTY, "P3", 120, 24 * h, 48 * h, minor, repair=7),
                _terms(Phase.AFTER_WARRANTY, "P1", 60, 4 * h, 48 * h, all_day),
                _terms(Phase.AFTER_WARRANTY, "P2", 60, 4 * h, 48 * h, all_day),
                _terms(Phase.AFTER_WARRANTY, "P3", 120, 24 * h, 72 * h, minor),
            ],
        ),
    }
    templates = {}
    for code, (name, source, months, after, substitute, rows) in specs.items():
        template, _ = ContractTemplate.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "source": source,
                "warranty_months": months,
                "after_warranty": after,
                "substitute_device_hours": substitute,
            },
        )
        template_terms_set(template=template, rows=rows)
        templates[code] = template
    return templates


def _user(username: str, role: str, name: str, *, branch=None, phone="", email=None) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = name
    user.email = email or f"{username}@example.com"
    user.phone = phone
    user.branch = branch
    user.is_active = True
    user.is_superuser = role == "admin"
    user.is_staff = role == "admin"
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    if role != "admin":
        user_assign_role(user=user, role=Role(role))
    return user


@transaction.atomic
def demo_load(*, today: date) -> list[DemoLogin]:
    always, business = _calendars()
    calendar_import_holidays(calendar=business, years=[today.year, today.year + 1])
    templates = _templates(always, business)

    east, _ = Branch.objects.update_or_create(
        code="east",
        defaults={
            "name": "华东服务中心",
            "region": "华东",
            "city": "上海",
            "phone": "021-5550-0100",
        },
    )
    central, _ = Branch.objects.update_or_create(
        code="central",
        defaults={
            "name": "华中服务中心",
            "region": "华中",
            "city": "郑州",
            "phone": "0371-5550-0200",
        },
    )
    north, _ = Branch.objects.update_or_create(
        code="north",
        defaults={
            "name": "华北服务中心",
            "region": "华北",
            "city": "济南",
            "phone": "0531-5550-0300",
        },
    )

    _user("admin", "admin", "系统管理员")
    _user("agent", Role.AGENT, "王敏", branch=east, phone="13900000001")
    _user("agent2", Role.AGENT, "周静", branch=central, phone="13900000002")
    _user("engineer", Role.ENGINEER, "陈杰", branch=east, phone="13900000011")
    _user("engineer2", Role.ENGINEER, "李强", branch=east, phone="13900000012")
    _user("engineer3", Role.ENGINEER, "黄伟", branch=central, phone="13900000013")
    _user("engineer4", Role.ENGINEER, "吴磊", branch=north, phone="13900000014")
    manager = _user("manager", Role.MANAGER, "刘洋", branch=east, phone="13900000021")
    _user("manager2", Role.MANAGER, "郑华", branch=central, phone="13900000022")
    _user("leader", Role.LEADER, "赵刚", phone="13900000031")

    specs = [
        # customer, short, region, branch, site, contract, template, signed, accepted, after
        (
            "东江水务集团有限公司",
            "东江水务",
            "华东",
            east,
            [("调度中心", "上海市浦东新区示例路 100 号"), ("第二水厂", "上海市闵行区示例路 8 号")],
            "DJ-2024-017",
            "东江水务智慧调度平台运维",
            "software-3y",
            _months_ago(today, 26),
            _months_ago(today, 14),
            None,
        ),
        (
            "青川市文化和旅游局",
            "青川文旅",
            "华中",
            central,
            [("数字文化馆", "青川市文化路 1 号")],
            "QC-2021-042",
            "公共数字文化平台及配套硬件",
            "hardware-3y",
            _months_ago(today, 52),
            _months_ago(today, 41),
            None,
        ),
        (
            "北辰油田信息中心",
            "北辰油田",
            "华北",
            north,
            [("生产指挥中心", "北辰市油田大道 9 号")],
            "BC-2026-003",
            "油气生产物联网系统",
            "software-3y",
            _months_ago(today, 2),
            None,
            None,
        ),
        (
            "南湖区水利局",
            "南湖水利",
            "华东",
            east,
            [("水库监测站", "南湖区湖滨路 66 号")],
            "NH-2022-008",
            "水库大坝安全监测系统",
            "defect-2y",
            _months_ago(today, 40),
            _months_ago(today, 30),
            None,
        ),
    ]
    for (
        name,
        short,
        region,
        branch,
        sites,
        number,
        title,
        template_code,
        signed,
        accepted,
        _after,
    ) in specs:
        customer, _ = Customer.objects.update_or_create(
            name=name, defaults={"short_name": short, "region": region}
        )
        site_objs = []
        for site_name, address in sites:
            site, _ = Site.objects.update_or_create(
                customer=customer,
                name=site_name,
                defaults={"address": address, "region": region, "branch": branch},
            )
            site_objs.append(site)
        contract, _ = Contract.objects.update_or_create(
            number=number,
            defaults={
                "title": title,
                "customer": customer,
                "signed_on": signed,
                "final_acceptance_on": accepted,
                "warranty_months": templates[template_code].warranty_months,
                "branch": branch,
                "service_manager": manager,
            },
        )
        contract_apply_template(contract=contract, template=templates[template_code])
        contract.sites.set(site_objs)

    # Covered items: software at every site, hardware at the cultural centre.
    items = [
        ("东江水务集团有限公司", "调度中心", "智慧调度平台软件", "software", "V3.2", "DJ-SW-0001"),
        ("东江水务集团有限公司", "第二水厂", "数据采集网关", "hardware", "GW-200", "DJ-HW-0107"),
        ("青川市文化和旅游局", "数字文化馆", "数字文化平台软件", "software", "V2.0", "QC-SW-0001"),
        ("青川市文化和旅游局", "数字文化馆", "自助服务一体机", "hardware", "KS-55", "QC-HW-2231"),
        ("北辰油田信息中心", "生产指挥中心", "物联网监控软件", "software", "V7.1", "BC-SW-0003"),
        ("南湖区水利局", "水库监测站", "大坝渗压遥测终端", "hardware", "SY-10", "NH-HW-0312"),
    ]
    for customer_name, site_name, item_name, kind, model, serial in items:
        customer = Customer.objects.get(name=customer_name)
        site = customer.sites.get(name=site_name)
        item, _ = CoveredItem.objects.update_or_create(
            customer=customer,
            serial_number=serial,
            defaults={"name": item_name, "kind": kind, "model": model, "site": site},
        )
        for contract in customer.contracts.all():
            contract.covered_items.add(item)

    # A customer with no contract in force: calls are logged as billable.
    Customer.objects.update_or_create(
        name="西岭热电有限公司", defaults={"short_name": "西岭热电", "region": "华北"}
    )

    contacts = [
        ("东江水务集团有限公司", "孙丽", "信息科科长", "+86 139 0000 0041", "customer"),
        ("东江水务集团有限公司", "马超", "值班调度员", "021-5550-0142", None),
        ("青川市文化和旅游局", "何静", "办公室主任", "0394-555-0143", "customer2"),
        ("北辰油田信息中心", "高峰", "信息中心主任", "13900000044", None),
        ("南湖区水利局", "林涛", "工程科", "139-0000-0045", None),
        ("西岭热电有限公司", "罗斌", "设备部", "13900000046", None),
    ]
    for customer_name, contact_name, position, phone, username in contacts:
        customer = Customer.objects.get(name=customer_name)
        user = _user(username, Role.CUSTOMER, contact_name, phone=phone) if username else None
        Contact.objects.update_or_create(
            customer=customer,
            name=contact_name,
            defaults={"position": position, "phone": phone, "user": user, "is_primary": True},
        )
    now = _demo_now(today)
    _demo_roster(now=now)
    _demo_tickets(now=now)
    from inspections.demo import demo_inspections
    from reports.demo import demo_satisfaction

    demo_inspections(now=now)
    demo_satisfaction(now=now)
    return DEMO_LOGINS


def _demo_roster(*, now: datetime) -> None:
    """Today's duty: one engineer per branch on call around the clock (值班)."""
    from accounts.models import DutyShift

    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    for username in ["engineer2", "engineer3", "engineer4"]:
        engineer = User.objects.get(username=username)
        DutyShift.objects.get_or_create(
            engineer=engineer,
            branch=engineer.branch,
            starts_at=start,
            defaults={"ends_at": start + timedelta(days=1), "note": "值班"},
        )


def _demo_now(today: date) -> datetime:
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, time(10)))


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


def _demo_tickets(*, now: datetime) -> None:
    """A queue with something in every state: at risk, breached, on site, not covered, closed."""
    from tickets.escalation import sweep_due_steps
    from tickets.models import Ticket
    from tickets.services.creation import ticket_create
    from tickets.services.transitions import ticket_dispatch, ticket_resolve, ticket_transition
    from tickets.work import ticket_check_in

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
                ticket_transition(ticket_id=ticket.pk, name=step, user=user, now=moment)
    sweep_due_steps(now=now)
