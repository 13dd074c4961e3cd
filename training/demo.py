"""Demo training at the water group: the dispatch platform's operation course and the
gateway's basic fault repair, both held last month with their sign-in recorded, and an
operations-and-maintenance session planned for next week."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from contracts.models import Contact, Contract
from training.models import TrainingSession
from training.services import (
    AttendeeInput,
    attendance_record,
    session_hold,
    session_plan,
)

CONTRACT = "DJ-2024-017"
TOPICS = {
    "operation": "智慧调度平台软件操作培训",
    "fault_repair": "数据采集网关基本故障排查与修复",
    "maintenance": "调度平台日常运维与数据备份",
}


def demo_training(*, now) -> None:
    contract = Contract.objects.filter(number=CONTRACT).first()
    if contract is None or TrainingSession.objects.filter(contract=contract).exists():
        return
    manager = User.objects.get(username="manager")
    engineer = User.objects.get(username="engineer")
    contacts = list(Contact.objects.filter(customer=contract.customer).order_by("name"))
    invited = [AttendeeInput(contact=contact) for contact in contacts] + [
        AttendeeInput(name="调度值班员甲", organisation=contract.customer.name, position="调度员"),
        AttendeeInput(
            name="信息科工程师乙", organisation=contract.customer.name, position="工程师"
        ),
    ]
    local = timezone.localtime(now)
    last_month = (local - timedelta(days=30)).replace(hour=9, minute=30, second=0, microsecond=0)
    held = [
        ("operation", engineer, "", last_month, 180, "调度中心三楼会议室"),
        (
            "fault_repair",
            None,
            "厂商技术专家（外聘）",
            last_month + timedelta(days=2),
            120,
            "第二水厂值班室",
        ),
    ]
    for kind, trainer, trainer_name, starts_at, minutes, place in held:
        session = session_plan(
            user=manager,
            contract=contract,
            topic=TOPICS[kind],
            kind=kind,
            trainer=trainer,
            trainer_name=trainer_name,
            starts_at=starts_at,
            duration_minutes=minutes,
            place=place,
            notes="培训资料会后上传。",
            attendees=invited,
        )
        attendees = list(session.attendees.order_by("pk"))
        # Everyone came but the last person invited.
        marks = {a.pk: a is not attendees[-1] for a in attendees}
        end = starts_at + timedelta(minutes=minutes)
        attendance_record(session=session, user=manager, attendance=marks, now=end)
        session_hold(session=session, user=manager, now=end)
    next_week = (local + timedelta(days=7)).replace(hour=14, minute=0, second=0, microsecond=0)
    session_plan(
        user=manager,
        contract=contract,
        topic=TOPICS["maintenance"],
        kind="maintenance",
        trainer=engineer,
        starts_at=next_week,
        duration_minutes=150,
        place="调度中心三楼会议室",
        attendees=invited[:2],
    )
