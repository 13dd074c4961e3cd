"""More customers, contracts and engineers around the demo data, for the page benchmark.

The demo has four contracts, one customer without a contract and four
engineers: enough to click through, too few for the dashboard's groupings to
be a real workload. This adds sixteen customers of the three branches, each
with sites, contacts, covered items and a contract made from one of the demo
templates, in the phases a real book of contracts has: mostly warranty, some
trial operation, some lifetime service after the warranty, and one whose
defect liability period ended forty days ago (its later calls are not
covered). Twelve more engineers share the dispatching.

A few hundred rows through the ORM and the project's own services, so the
contracts get their terms exactly as `contract_apply_template` gives them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import Branch, User
from accounts.roles import Role
from accounts.services import user_assign_role
from contracts.models import Contact, Contract, ContractTemplate, CoveredItem, Customer, Site
from contracts.phases import add_months
from contracts.services import contract_apply_template

# name, short name, branch code, template, phase, sites, weight (share of the calls)
EXTRA_CUSTOMERS = [
    (
        "临港新城供水有限公司",
        "临港供水",
        "east",
        "software-3y",
        "warranty",
        ["一号泵站", "调度楼"],
        8,
    ),
    (
        "江北区智慧交通中心",
        "江北交通",
        "east",
        "software-3y",
        "warranty",
        ["指挥中心", "数据机房", "隧道监控站"],
        7,
    ),
    ("嘉禾市人民医院", "嘉禾医院", "east", "hardware-3y", "warranty", ["门诊楼机房", "住院部"], 6),
    ("东海港务集团", "东海港务", "east", "software-3y", "after", ["集装箱码头"], 5),
    ("滨湖区政务服务中心", "滨湖政务", "east", "defect-2y", "warranty", ["政务大厅"], 3),
    (
        "中原燃气股份有限公司",
        "中原燃气",
        "central",
        "software-3y",
        "warranty",
        ["调度中心", "门站"],
        7,
    ),
    ("洛川市公安局", "洛川公安", "central", "hardware-3y", "warranty", ["指挥中心"], 5),
    ("汉江水文站", "汉江水文", "central", "defect-2y", "ends", ["水文监测站"], 3),
    ("襄城职业技术学院", "襄城职院", "central", "software-3y", "trial", ["信息中心"], 3),
    ("宛南热力有限公司", "宛南热力", "central", "hardware-3y", "after", ["换热站"], 4),
    (
        "泰山电力调度中心",
        "泰山电力",
        "north",
        "software-3y",
        "warranty",
        ["调度大楼", "备调中心"],
        8,
    ),
    (
        "渤海化工园区管委会",
        "渤海化工",
        "north",
        "hardware-3y",
        "warranty",
        ["应急指挥中心", "监测站"],
        5,
    ),
    ("齐州地铁运营公司", "齐州地铁", "north", "software-3y", "trial", ["控制中心"], 4),
    ("黄河河务局", "黄河河务", "north", "defect-2y", "warranty", ["防汛指挥部"], 3),
    ("鲁西粮食储备库", "鲁西粮库", "north", "hardware-3y", "warranty", ["一号库区"], 2),
    ("燕山环境监测站", "燕山环境", "north", "software-3y", "after", ["监测站"], 3),
]

# The demo's own customers: share of the calls. 北辰 signed two months ago
# (earlier calls are not covered), 南湖's contract has expired and 西岭 has none.
DEMO_WEIGHTS = {
    "东江水务集团有限公司": 10,
    "青川市文化和旅游局": 5,
    "北辰油田信息中心": 3,
    "南湖区水利局": 2,
    "西岭热电有限公司": 1,
}

EXTRA_ENGINEERS = [
    ("bench_eng01", "east", "张磊"),
    ("bench_eng02", "east", "王芳"),
    ("bench_eng03", "east", "刘波"),
    ("bench_eng04", "east", "杨帆"),
    ("bench_eng05", "east", "徐明"),
    ("bench_eng06", "central", "孙浩"),
    ("bench_eng07", "central", "胡斌"),
    ("bench_eng08", "central", "朱琳"),
    ("bench_eng09", "central", "郭涛"),
    ("bench_eng10", "north", "何平"),
    ("bench_eng11", "north", "高远"),
    ("bench_eng12", "north", "罗军"),
]

CONTACT_NAMES = ["陈晨", "李娜", "周伟", "吴婷", "郑凯", "冯雪", "蒋涛", "韩梅"]


def _dates(phase: str, today: date) -> tuple[date, date | None]:
    """Signing and final acceptance dates that put a contract in `phase` today."""
    if phase == "warranty":
        return add_months(today, -20), add_months(today, -9)
    if phase == "trial":
        return add_months(today, -7), None
    if phase == "after":
        return add_months(today, -60), add_months(today, -50)
    if phase == "ends":
        # A 24-month defect liability period that ended forty days ago.
        accepted = add_months(today - timedelta(days=40), -24)
        return add_months(accepted, -12), accepted
    raise ValueError(phase)


def world_extend(*, today: date) -> None:
    """Add the customers, contracts and engineers above; the demo data must be loaded."""
    branches = {b.code: b for b in Branch.objects.all()}
    templates = {t.code: t for t in ContractTemplate.objects.all()}
    manager = User.objects.get(username="manager")
    manager2 = User.objects.get(username="manager2")
    for username, branch_code, name in EXTRA_ENGINEERS:
        user = User(username=username, first_name=name, branch=branches[branch_code])
        user.set_unusable_password()
        user.save()
        user_assign_role(user=user, role=Role.ENGINEER)
    for i, (name, short, branch_code, template, phase, sites, _weight) in enumerate(
        EXTRA_CUSTOMERS, start=1
    ):
        branch = branches[branch_code]
        customer = Customer.objects.create(name=name, short_name=short, region=branch.region)
        signed, accepted = _dates(phase, today)
        contract = Contract(
            number=f"BN-{signed.year}-{i:03d}",
            title=f"{short}运维服务",
            customer=customer,
            signed_on=signed,
            final_acceptance_on=accepted,
            warranty_months=templates[template].warranty_months,
            branch=branch,
            service_manager=manager if branch_code == "east" else manager2,
        )
        contract.save()
        contract_apply_template(contract=contract, template=templates[template])
        for j, site_name in enumerate(sites, start=1):
            site = Site.objects.create(
                customer=customer,
                name=site_name,
                address=f"{branch.city}示例路 {i * 10 + j} 号",
                region=branch.region,
                branch=branch,
            )
            contract.sites.add(site)
            items = [("software", f"{site_name}监控软件", f"BN{i:02d}-SW-{j:02d}")]
            if template == "hardware-3y":
                items.append(("hardware", f"{site_name}服务器", f"BN{i:02d}-HW-{j:02d}"))
            for kind, item_name, serial in items:
                item = CoveredItem.objects.create(
                    customer=customer, site=site, name=item_name, kind=kind, serial_number=serial
                )
                contract.covered_items.add(item)
        for k in range(2):
            Contact.objects.create(
                customer=customer,
                name=CONTACT_NAMES[(i + k) % len(CONTACT_NAMES)],
                position="信息中心" if k == 0 else "值班室",
                phone=f"1390001{i:02d}{k:02d}",
                is_primary=k == 0,
            )


@dataclass(frozen=True)
class Slot:
    """Where a call comes from: a site of a customer, with its contract (if any)."""

    weight: float
    customer_id: int
    contract_id: int | None
    site_id: int | None
    branch_id: int | None
    item_id: int | None
    item_is_hardware: bool
    contact_ids: list[int]


def world_slots() -> list[Slot]:
    """Every site of every customer with its share of the calls."""
    weights = dict(DEMO_WEIGHTS)
    weights.update({row[0]: row[6] for row in EXTRA_CUSTOMERS})
    slots = []
    customers = Customer.objects.prefetch_related("sites", "contacts", "contracts", "items")
    for customer in customers.order_by("pk"):
        weight = weights.get(customer.name)
        if weight is None:
            continue
        # The latest contract, as ticket_create shows it when nothing covers the call.
        contract = max(customer.contracts.all(), key=lambda c: c.signed_on, default=None)
        contacts = sorted(c.pk for c in customer.contacts.all())
        sites = sorted(customer.sites.all(), key=lambda s: s.pk) or [None]
        for site in sites:
            items = [i for i in customer.items.all() if site is not None and i.site_id == site.pk]
            # Hardware first: a fault on it gets the repair-or-replace clock where one is promised.
            items.sort(key=lambda i: (not i.is_hardware, i.pk))
            item = items[0] if items else None
            branch_id = (site.branch_id if site else None) or (
                contract.branch_id if contract else None
            )
            slots.append(
                Slot(
                    weight=weight / len(sites),
                    customer_id=customer.pk,
                    contract_id=contract.pk if contract else None,
                    site_id=site.pk if site else None,
                    branch_id=branch_id,
                    item_id=item.pk if item else None,
                    item_is_hardware=bool(item and item.is_hardware),
                    contact_ids=contacts,
                )
            )
    return slots
