"""A coherent demo: staff of every role, customers and contracts in every phase, tickets,
inspections and satisfaction, each app's part loaded by its own demo module.

Dates are relative to today. Loading twice changes nothing: every row is
found by its natural key first. Names and numbers are invented; none come
from the seed documents.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Branch, User
from accounts.roles import SUPERUSER, Role
from accounts.services import user_assign_role
from contracts.demo import demo_contracts
from contracts.models import Contact, Customer


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    name: str


DEMO_LOGINS = [
    DemoLogin("admin", SUPERUSER, "系统管理员"),
    DemoLogin("agent", Role.AGENT, "王敏"),
    DemoLogin("engineer", Role.ENGINEER, "陈杰"),
    DemoLogin("manager", Role.MANAGER, "刘洋"),
    DemoLogin("leader", Role.LEADER, "赵刚"),
    DemoLogin("customer", Role.CUSTOMER, "孙丽"),
    DemoLogin("customer3", Role.CUSTOMER, "高峰"),
]


def _user(username: str, role: str, name: str, *, branch=None, phone="", email=None) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = name
    user.email = email or f"{username}@example.com"
    user.phone = phone
    user.branch = branch
    user.is_active = True
    user.is_superuser = user.is_staff = role == SUPERUSER
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    if role != SUPERUSER:
        user_assign_role(user=user, role=Role(role))
    return user


# code: name, region, city, phone
BRANCHES = {
    "east": ("华东服务中心", "华东", "上海", "021-5550-0100"),
    "central": ("华中服务中心", "华中", "郑州", "0371-5550-0200"),
    "north": ("华北服务中心", "华北", "济南", "0531-5550-0300"),
}
# username, role, name, branch code, phone
STAFF = [
    ("agent", Role.AGENT, "王敏", "east", "13900000001"),
    ("agent2", Role.AGENT, "周静", "central", "13900000002"),
    ("engineer", Role.ENGINEER, "陈杰", "east", "13900000011"),
    ("engineer2", Role.ENGINEER, "李强", "east", "13900000012"),
    ("engineer3", Role.ENGINEER, "黄伟", "central", "13900000013"),
    ("engineer4", Role.ENGINEER, "吴磊", "north", "13900000014"),
    ("manager", Role.MANAGER, "刘洋", "east", "13900000021"),
    ("manager2", Role.MANAGER, "郑华", "central", "13900000022"),
    ("leader", Role.LEADER, "赵刚", None, "13900000031"),
]
# customer, name, position, phone, portal username
CONTACTS = [
    ("东江水务集团有限公司", "孙丽", "信息科科长", "+86 139 0000 0041", "customer"),
    ("东江水务集团有限公司", "马超", "值班调度员", "021-5550-0142", None),
    ("青川市文化和旅游局", "何静", "办公室主任", "0394-555-0143", "customer2"),
    ("北辰油田信息中心", "高峰", "信息中心主任", "13900000044", "customer3"),
    ("南湖区水利局", "林涛", "工程科", "139-0000-0045", None),
    ("西岭热电有限公司", "罗斌", "设备部", "13900000046", None),
]


@transaction.atomic
def demo_load(*, today: date) -> list[DemoLogin]:
    branches = _branches()
    _staff(branches)
    demo_contracts(today=today, branches=branches, manager=User.objects.get(username="manager"))
    _contacts()
    now = _demo_now(today)
    _demo_roster(now=now)
    from deductions.demo import demo_deductions
    from duty.demo import demo_duty
    from inspections.demo import demo_inspections
    from knowledge.demo import demo_knowledge
    from mail_intake.demo import demo_mail
    from maintenance.demo import demo_maintenance
    from reports.demo import demo_satisfaction
    from spares.demo import demo_spares
    from tickets.demo import demo_tickets
    from tickets.demo_chat import demo_chat_robots
    from training.demo import demo_training

    demo_tickets(now=now)
    demo_inspections(now=now)
    demo_satisfaction(now=now)
    demo_spares(now=now)
    demo_deductions(now=now)
    demo_maintenance(now=now)
    demo_training(now=now)
    demo_duty(now=now)
    demo_knowledge(now=now)
    demo_mail(now=now)
    demo_chat_robots()
    return DEMO_LOGINS


def _branches() -> dict[str, Branch]:
    branches = {}
    for code, (name, region, city, phone) in BRANCHES.items():
        branches[code], _ = Branch.objects.update_or_create(
            code=code, defaults={"name": name, "region": region, "city": city, "phone": phone}
        )
    return branches


def _staff(branches: dict[str, Branch]) -> None:
    _user("admin", SUPERUSER, "系统管理员")
    for username, role, name, branch, phone in STAFF:
        _user(username, role, name, branch=branches.get(branch), phone=phone)


def _contacts() -> None:
    for customer_name, contact_name, position, phone, username in CONTACTS:
        customer = Customer.objects.get(name=customer_name)
        user = _user(username, Role.CUSTOMER, contact_name, phone=phone) if username else None
        Contact.objects.update_or_create(
            customer=customer,
            name=contact_name,
            defaults={"position": position, "phone": phone, "user": user, "is_primary": True},
        )


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
