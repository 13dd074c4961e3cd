"""Demo contracts: calendars, contract templates from the seeds, customers, sites, items.

Dates are relative to today, so the contracts are in trial, warranty, after
warranty and expired whenever the demo is loaded. Loading twice changes
nothing: every row is found by its natural key first. Names and numbers are
invented; none come from the seed documents.
"""

from datetime import date, time

from accounts.models import Branch, User
from contracts.cache import reference_changed
from contracts.models import (
    Calendar,
    Contract,
    ContractTemplate,
    CoveredItem,
    Customer,
    Site,
    WorkingWindow,
)
from contracts.phases import AfterWarranty, Phase, add_months
from contracts.services import (
    calendar_import_holidays,
    contract_apply_template,
    template_terms_set,
)


def demo_contracts(*, today: date, branches: dict[str, Branch], manager: User) -> None:
    """Each customer with its sites, items and contract on the terms of its template."""
    always, business = _calendars()
    calendar_import_holidays(calendar=business, years=[today.year, today.year + 1])
    templates = _templates(always, business)
    _customers(today=today, branches=branches, templates=templates, manager=manager)
    _items()
    # A customer with no contract in force: calls are logged as billable.
    Customer.objects.update_or_create(
        name="西岭热电有限公司", defaults={"short_name": "西岭热电", "region": "华北"}
    )


def _months_ago(today: date, months: int) -> date:
    return add_months(today, -months)


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
        reference_changed()  # bulk_create sends no signals (contracts/cache.py)
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


H = 60
# Which calendar each clock (response, on site, resolution) counts on.
ALL_DAY = "all_day"  # 7×24 for all three
MINOR = "minor"  # response 7×24, on site and resolution in business hours

# code: name, source, warranty months, after warranty, substitute device hours, terms
# (phase, priority, response, on site, resolution minutes, calendars, repair days).
TEMPLATES = {
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
            (Phase.TRIAL, "P1", 2 * H, None, 48 * H, ALL_DAY, None),
            (Phase.TRIAL, "P2", 2 * H, None, 48 * H, ALL_DAY, None),
            (Phase.TRIAL, "P3", 2 * H, None, 24 * H, ALL_DAY, None),
            (Phase.WARRANTY, "P1", 30, 4 * H, 24 * H, ALL_DAY, None),
            (Phase.WARRANTY, "P2", 30, 4 * H, 24 * H, ALL_DAY, None),
            (Phase.WARRANTY, "P3", 30, 4 * H, 24 * H, MINOR, None),
            (Phase.AFTER_WARRANTY, "P1", 30, 10 * H, 24 * H, ALL_DAY, None),
            (Phase.AFTER_WARRANTY, "P2", 30, 10 * H, 24 * H, ALL_DAY, None),
            (Phase.AFTER_WARRANTY, "P3", 30, 10 * H, 24 * H, MINOR, None),
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
            (Phase.TRIAL, "P1", 30, 3 * H, 24 * H, ALL_DAY, None),
            (Phase.TRIAL, "P2", 30, 3 * H, 24 * H, ALL_DAY, None),
            (Phase.TRIAL, "P3", 60, 3 * H, 48 * H, MINOR, None),
            (Phase.WARRANTY, "P1", 30, 3 * H, 24 * H, ALL_DAY, None),
            (Phase.WARRANTY, "P2", 30, 3 * H, 24 * H, ALL_DAY, None),
            (Phase.WARRANTY, "P3", 60, 3 * H, 48 * H, MINOR, None),
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
            (Phase.TRIAL, "P1", 60, 4 * H, 24 * H, ALL_DAY, 7),
            (Phase.TRIAL, "P2", 60, 4 * H, 24 * H, ALL_DAY, 7),
            (Phase.TRIAL, "P3", 120, 24 * H, 48 * H, MINOR, 7),
            (Phase.WARRANTY, "P1", 60, 4 * H, 24 * H, ALL_DAY, 7),
            (Phase.WARRANTY, "P2", 60, 4 * H, 24 * H, ALL_DAY, 7),
            (Phase.WARRANTY, "P3", 120, 24 * H, 48 * H, MINOR, 7),
            (Phase.AFTER_WARRANTY, "P1", 60, 4 * H, 48 * H, ALL_DAY, None),
            (Phase.AFTER_WARRANTY, "P2", 60, 4 * H, 48 * H, ALL_DAY, None),
            (Phase.AFTER_WARRANTY, "P3", 120, 24 * H, 72 * H, MINOR, None),
        ],
    ),
}


# Seed 000, 1.4.1: in trial operation "小问题的处理时间不超过 1天，大问题的处理不超过 2天".
TRIAL_FIX_HOURS = {"software-3y": (24, 48)}


def _templates(always: Calendar, business: Calendar) -> dict[str, ContractTemplate]:
    calendars = {ALL_DAY: (always, always, always), MINOR: (always, business, business)}
    templates = {}
    for code, (name, source, months, after, substitute, terms) in TEMPLATES.items():
        template, _ = ContractTemplate.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "source": source,
                "warranty_months": months,
                "after_warranty": after,
                "substitute_device_hours": substitute,
                "trial_small_fix_hours": TRIAL_FIX_HOURS.get(code, (None, None))[0],
                "trial_large_fix_hours": TRIAL_FIX_HOURS.get(code, (None, None))[1],
            },
        )
        rows = [
            _terms(phase, priority, response, onsite, resolution, calendars[key], repair=repair)
            for phase, priority, response, onsite, resolution, key, repair in terms
        ]
        template_terms_set(template=template, rows=rows)
        templates[code] = template
    return templates


# customer, short, region, branch code, sites (name, address), contract number, title,
# template, signed and accepted that many months ago (None: not accepted yet)
CUSTOMERS = [
    (
        "东江水务集团有限公司",
        "东江水务",
        "华东",
        "east",
        [("调度中心", "上海市浦东新区示例路 100 号"), ("第二水厂", "上海市闵行区示例路 8 号")],
        "DJ-2024-017",
        "东江水务智慧调度平台运维",
        "software-3y",
        26,
        14,
    ),
    (
        "青川市文化和旅游局",
        "青川文旅",
        "华中",
        "central",
        [("数字文化馆", "青川市文化路 1 号")],
        "QC-2021-042",
        "公共数字文化平台及配套硬件",
        "hardware-3y",
        52,
        41,
    ),
    (
        "北辰油田信息中心",
        "北辰油田",
        "华北",
        "north",
        [("生产指挥中心", "北辰市油田大道 9 号")],
        "BC-2026-003",
        "油气生产物联网系统",
        "software-3y",
        2,
        None,
    ),
    (
        "南湖区水利局",
        "南湖水利",
        "华东",
        "east",
        [("水库监测站", "南湖区湖滨路 66 号")],
        "NH-2022-008",
        "水库大坝安全监测系统",
        "defect-2y",
        40,
        30,
    ),
]
# Covered items: software at every site, hardware at the cultural centre.
ITEMS = [
    ("东江水务集团有限公司", "调度中心", "智慧调度平台软件", "software", "V3.2", "DJ-SW-0001"),
    ("东江水务集团有限公司", "第二水厂", "数据采集网关", "hardware", "GW-200", "DJ-HW-0107"),
    ("青川市文化和旅游局", "数字文化馆", "数字文化平台软件", "software", "V2.0", "QC-SW-0001"),
    ("青川市文化和旅游局", "数字文化馆", "自助服务一体机", "hardware", "KS-55", "QC-HW-2231"),
    ("北辰油田信息中心", "生产指挥中心", "物联网监控软件", "software", "V7.1", "BC-SW-0003"),
    ("南湖区水利局", "水库监测站", "大坝渗压遥测终端", "hardware", "SY-10", "NH-HW-0312"),
]


def _customers(*, today: date, branches: dict[str, Branch], templates, manager: User) -> None:
    for name, short, region, code, sites, number, title, template, signed, accepted in CUSTOMERS:
        branch = branches[code]
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
                "signed_on": _months_ago(today, signed),
                "final_acceptance_on": _months_ago(today, accepted) if accepted else None,
                "warranty_months": templates[template].warranty_months,
                "branch": branch,
                "service_manager": manager,
            },
        )
        contract_apply_template(contract=contract, template=templates[template])
        contract.sites.set(site_objs)


def _items() -> None:
    for customer_name, site_name, item_name, kind, model, serial in ITEMS:
        customer = Customer.objects.get(name=customer_name)
        site = customer.sites.get(name=site_name)
        item, _ = CoveredItem.objects.update_or_create(
            customer=customer,
            serial_number=serial,
            defaults={"name": item_name, "kind": kind, "model": model, "site": site},
        )
        for contract in customer.contracts.all():
            contract.covered_items.add(item)
