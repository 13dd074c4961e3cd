"""Demo satisfaction data: the half-yearly questionnaire, last half year's answers, a return
visit, and that year's analysis issued to the demo customer.

Loading twice changes nothing: every row is found by its natural key first.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

DEMO_CUSTOMER = "东江水务集团有限公司"
QUESTIONS = [
    (1, "响应及时性", "rating"),
    (2, "到场及时性", "rating"),
    (3, "问题解决质量", "rating"),
    (4, "服务人员态度与专业水平", "rating"),
    (5, "巡检与维护工作", "rating"),
    (6, "意见和建议", "text"),
]
DEMO_ANSWERS = {1: 5, 2: 4, 3: 5, 4: 5, 5: 4, 6: "夜间响应很及时，希望巡检报告能更早提交。"}


def _questionnaire():
    from reports.models import Question, Questionnaire

    questionnaire, created = Questionnaire.objects.get_or_create(
        code="half-yearly",
        version=1,
        defaults={
            "name": "维护工作客户意见征询表",
            "intro": (
                "为持续改进维护服务质量，请您对本半年度的维护工作进行评价（1 分最低，5 分最高）。"
            ),
            "is_active": True,
        },
    )
    if created or not questionnaire.questions.exists():
        Question.objects.bulk_create(
            Question(
                questionnaire=questionnaire,
                order=order,
                text=text,
                kind=kind,
                required=kind == "rating",
            )
            for order, text, kind in QUESTIONS
        )
    return questionnaire


def _previous_half_year(questionnaire, *, now) -> None:
    """Last half year's surveys of the demo customer, answered, so the yearly report has data."""
    from contracts.models import Contract
    from contracts.phases import SERVICE_PHASES
    from reports.models import Survey
    from reports.surveys import half_year_of, survey_answer

    start, _end = half_year_of(now)
    previous_start, previous_end = half_year_of(
        timezone.make_aware(datetime.combine(start - timedelta(days=1), time(12)))
    )
    sent_at = timezone.make_aware(datetime.combine(previous_start + timedelta(days=3), time(10)))
    questions = {q.order: q for q in questionnaire.questions.all()}
    for contract in Contract.objects.filter(customer__name=DEMO_CUSTOMER).select_related(
        "customer"
    ):
        if contract.phase_at(sent_at) not in SERVICE_PHASES:
            continue
        for contact in contract.customer.contacts.filter(user__isnull=False):
            survey, _created = Survey.objects.get_or_create(
                questionnaire=questionnaire,
                contract=contract,
                contact=contact,
                period_start=previous_start,
                defaults={"period_end": previous_end, "sent_at": sent_at},
            )
            if survey.answered_at is None:
                survey_answer(
                    survey=survey,
                    user=contact.user,
                    answers={
                        questions[order].pk: value
                        for order, value in DEMO_ANSWERS.items()
                        if order in questions
                    },
                    now=sent_at + timedelta(days=2, hours=5),
                )


def _return_visit(*, now) -> None:
    """A return visit (and the customer's rating) on the closed demo ticket."""
    from accounts.models import User
    from tickets.models import Rating, Ticket

    ticket = (
        Ticket.objects.filter(state="closed", customer__name=DEMO_CUSTOMER).order_by("pk").first()
    ) or Ticket.objects.filter(state="closed").order_by("pk").first()
    if ticket is None:
        return
    from reports.models import ReturnVisit
    from reports.surveys import return_visit_record

    agent = User.objects.filter(username="agent").first()
    if agent is not None and not ReturnVisit.objects.filter(ticket=ticket).exists():
        closed = ticket.closed_at or now
        return_visit_record(
            ticket=ticket,
            agent=agent,
            reached=True,
            score=5,
            answers="问题已彻底解决，工程师讲解清楚。",
            follow_up="建议客户每月检查一次慢查询日志，已加入下次巡检内容。",
            called_at=min(now, closed + timedelta(hours=20)),
        )
    contact = ticket.customer.contacts.filter(user__isnull=False).first()
    if contact is not None and not Rating.objects.filter(ticket=ticket).exists():
        Rating.objects.create(
            ticket=ticket, score=5, comment="处理很快，满意。", rated_by=contact.user
        )


def _issued_report(*, now) -> None:
    """The yearly analysis of last half year's year, issued to the demo customer by the
    manager, so the customer login finds it under Reports. Rendering it takes about a
    second, too slow for a demo loaded by many tests: it is queued as a job, which the
    worker renders (bin/serve runs one) and then tells the customer's contacts."""
    from accounts.models import User
    from contracts.models import Customer
    from reports.issued import issued_report_issue
    from reports.models import IssuedReport
    from reports.surveys import half_year_of

    start, _end = half_year_of(now)
    year = (start - timedelta(days=1)).year
    customer = Customer.objects.filter(name=DEMO_CUSTOMER).first()
    manager = User.objects.filter(username="manager").first()
    if customer is None or manager is None:
        return
    if not IssuedReport.objects.filter(customer=customer, year=year).exists():
        issued_report_issue(user=manager, customer=customer, year=year, now=now)


def demo_satisfaction(*, now) -> None:
    from reports.surveys import surveys_send_due

    questionnaire = _questionnaire()
    _previous_half_year(questionnaire, now=now)
    surveys_send_due(now=now)
    _return_visit(now=now)
    _issued_report(now=now)
