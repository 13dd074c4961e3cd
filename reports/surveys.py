"""Satisfaction (满意度): the half-yearly questionnaire, return visits and the yearly figures.

Seed 002, 4.5.4: every half year the customer receives the 《维护工作客户意见征询表》;
every maintenance year the satisfaction is analysed in a written report.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.selectors import role_of
from contracts.models import Contact, Contract
from contracts.phases import SERVICE_PHASES
from core.translatable import Message
from reports.models import Question, Questionnaire, ReturnVisit, Survey, SurveyAnswer
from tickets.notify import notify

REMIND_AFTER = timedelta(days=14)
RATINGS = range(1, 6)
TEXT_MAX = 4000
# Who may record a return visit: the service desk and its managers.
RETURN_VISIT_ROLES = ("agent", "manager", "leader", "admin")
# Tickets one can call the customer back about.
RETURN_VISIT_STATES = ("closed", "resolved", "accepted")


# --- half years ---------------------------------------------------------------------------


def half_year_of(moment: datetime) -> tuple[date, date]:
    """First and last day (inclusive) of the half year of an instant, in local dates."""
    day = timezone.localdate(moment)
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def survey_status(survey: Survey) -> str:
    """ "answered", "reminded" or "sent"."""
    if survey.answered_at:
        return "answered"
    if survey.reminded_at:
        return "reminded"
    return "sent"


def questionnaire_active() -> Questionnaire | None:
    """The questionnaire being sent out: the latest version of the active one."""
    return (
        Questionnaire.objects.filter(is_active=True)
        .order_by("-version", "-created_at", "-pk")
        .first()
    )


# --- sending ------------------------------------------------------------------------------


def _notify(survey: Survey, *, reminder: bool) -> None:
    if reminder:
        title = _lazy("Reminder: please answer our satisfaction survey")
    else:
        title = _lazy("Please answer our satisfaction survey")
    body = _lazy(
        "Dear %(name)s, please tell us how satisfied you are with our maintenance work "
        "for contract %(contract)s (%(period)s): %(link)s"
    )
    params = {
        "name": survey.contact.name,
        "contract": survey.contract.number,
        "period": f"{survey.period_start:%Y-%m-%d} – {survey.period_end:%Y-%m-%d}",
        "link": reverse("surveys:answer", args=[survey.pk]),
    }
    notify([survey.contact.user], Message(title, body, params))


def surveys_send_due(*, now: datetime) -> int:
    """Send the current half year's questionnaire where missing and remind once after 14 days.

    Every contract in force (a service phase at `now`) gets one survey per contact of its
    customer with a portal login, each with a notification. Running it again creates nothing
    new. Returns how many surveys were created.
    """
    created = _surveys_send(now=now)
    _surveys_remind(now=now)
    return created


def _surveys_send(*, now: datetime) -> int:
    questionnaire = questionnaire_active()
    if questionnaire is None:
        return 0
    created = 0
    start, end = half_year_of(now)
    contacts = Contact.objects.filter(user__isnull=False, user__is_active=True).select_related(
        "user"
    )
    contracts = Contract.objects.select_related("customer").prefetch_related(
        Prefetch("customer__contacts", queryset=contacts, to_attr="survey_contacts")
    )
    for contract in contracts:
        if contract.phase_at(now) not in SERVICE_PHASES:
            continue
        for contact in contract.customer.survey_contacts:
            try:
                with transaction.atomic():
                    # A new questionnaire version mid-half-year does not ask again.
                    survey, made = Survey.objects.get_or_create(
                        contract=contract,
                        contact=contact,
                        period_start=start,
                        defaults={
                            "questionnaire": questionnaire,
                            "period_end": end,
                            "sent_at": now,
                        },
                    )
                    if made:
                        _notify(survey, reminder=False)
                        created += 1
            except IntegrityError:  # another worker created it at the same moment
                continue
    return created


def _surveys_remind(*, now: datetime) -> None:
    due = Survey.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__lte=now - REMIND_AFTER,
        contact__user__isnull=False,
    ).select_related("contract", "contact__user")
    for survey in due:
        with transaction.atomic():
            # Only the run that marks it sends the reminder: never twice.
            marked = Survey.objects.filter(pk=survey.pk, reminded_at__isnull=True).update(
                reminded_at=now, updated_at=timezone.now()
            )
            if marked:
                _notify(survey, reminder=True)


# --- answering ----------------------------------------------------------------------------


def answer_field(question: Question) -> str:
    """The name under which a question's errors are reported (and its form field)."""
    return f"question_{question.pk}"


def _rating_of(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def survey_answer(*, survey: Survey, user, answers: dict, now: datetime | None = None) -> Survey:
    """Record the contact's answers, once; `answers` maps question id to a rating or a text.

    Raises ValidationError keyed by "question_<id>" (see answer_field) for a missing
    required answer or a rating outside 1..5, and a general one for anyone but the survey's
    contact or a survey already answered.
    """
    now = now or timezone.now()
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("contact")
            .get(pk=survey.pk)
        )
        if not user.is_authenticated or survey.contact.user_id != user.pk:
            raise ValidationError(_("Only the contact this survey was sent to can answer it."))
        if survey.answered_at is not None:
            raise ValidationError(_("This survey has already been answered."))
        given = {str(key): value for key, value in answers.items()}
        questions = list(survey.questionnaire.questions.all())
        known = {str(question.pk) for question in questions}
        errors: dict[str, list[str]] = {}
        if set(given) - known:
            errors["__all__"] = [_("Some answers are for questions not in this survey.")]
        rows = []
        for question in questions:
            raw = given.get(str(question.pk))
            field = answer_field(question)
            if question.kind == Question.Kind.RATING:
                empty = raw is None or raw == ""
                rating = None if empty else _rating_of(raw)
                if empty:
                    if question.required:
                        errors[field] = [_("Please choose 1 to 5.")]
                    continue
                if rating not in RATINGS:
                    errors[field] = [_("Choose a rating from 1 to 5.")]
                    continue
                rows.append(SurveyAnswer(survey=survey, question=question, rating=rating))
            else:
                text = "" if raw is None else str(raw).strip()
                if not text:
                    if question.required:
                        errors[field] = [_("Please answer this question.")]
                    continue
                if len(text) > TEXT_MAX:
                    errors[field] = [
                        _("Please keep the answer under %(n)d characters.") % {"n": TEXT_MAX}
                    ]
                    continue
                rows.append(SurveyAnswer(survey=survey, question=question, text=text))
        if errors:
            raise ValidationError(errors)
        SurveyAnswer.objects.bulk_create(rows)
        survey.answered_at = now
        survey.save(update_fields=["answered_at", "updated_at"])
    return survey


# --- return visits ------------------------------------------------------------------------


def return_visit_record(
    *,
    ticket,
    agent,
    reached: bool,
    score: int | None,
    answers: str = "",
    follow_up: str = "",
    called_at: datetime | None = None,
) -> ReturnVisit:
    """A return-visit call (回访) after a finished ticket, recorded by the desk.

    The score (1..5) is required when the customer was reached and must be blank otherwise.
    """
    if role_of(agent) not in RETURN_VISIT_ROLES:
        raise ValidationError(_("Only the service desk and managers record return visits."))
    if ticket.state not in RETURN_VISIT_STATES:
        raise ValidationError(_("Return visits are for resolved, closed or accepted tickets."))
    errors: dict[str, list[str]] = {}
    if score in ("", None):
        score = None
    else:
        score = _rating_of(score)
        if score not in RATINGS:
            errors["score"] = [_("Choose a score from 1 to 5.")]
    if reached and score is None and "score" not in errors:
        errors["score"] = [_("Ask the customer for a score from 1 to 5.")]
    if not reached and score is not None:
        errors["score"] = [_("Leave the score blank when the customer was not reached.")]
    if errors:
        raise ValidationError(errors)
    return ReturnVisit.objects.create(
        ticket=ticket,
        agent=agent,
        called_at=called_at or timezone.now(),
        reached=bool(reached),
        score=score,
        answers=(answers or "").strip(),
        follow_up=(follow_up or "").strip(),
    )


# --- the yearly analysis ------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _average(distribution: dict[int, int]) -> float | None:
    count = sum(distribution.values())
    if not count:
        return None
    return round(sum(score * n for score, n in distribution.items()) / count, 2)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _change(current, previous):
    if current is None or previous is None:
        return None
    return round(current - previous, 4)


def _empty_distribution() -> dict[int, int]:
    return dict.fromkeys(RATINGS, 0)


def _figures(year: int, customer) -> dict:
    """The numeric figures of one year (the part the trend compares); 5 queries."""
    start, end = _year_bounds(year)
    surveys = Survey.objects.filter(period_start__year=year)
    answers = SurveyAnswer.objects.filter(survey__period_start__year=year)
    from tickets.models import Rating

    ratings = Rating.objects.filter(created_at__gte=start, created_at__lt=end)
    visits = ReturnVisit.objects.filter(called_at__gte=start, called_at__lt=end)
    if customer is not None:
        surveys = surveys.filter(contract__customer=customer)
        answers = answers.filter(survey__contract__customer=customer)
        ratings = ratings.filter(ticket__customer=customer)
        visits = visits.filter(ticket__customer=customer)

    # 1. Rating answers per question and score.
    questions: dict[int, dict] = {}
    customer_scores: dict[int, dict[int, int]] = defaultdict(_empty_distribution)
    overall = _empty_distribution()
    rows = (
        answers.filter(rating__isnull=False)
        .values("question_id", "survey__contract__customer_id", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        distribution = questions.setdefault(row["question_id"], _empty_distribution())
        distribution[row["rating"]] += row["n"]
        customer_scores[row["survey__contract__customer_id"]][row["rating"]] += row["n"]
        overall[row["rating"]] += row["n"]
    # 2. Text answers per question.
    texts = {
        row["question_id"]: row["n"]
        for row in answers.exclude(text="").values("question_id").annotate(n=Count("pk")).order_by()
    }
    # 3. Surveys sent and answered per customer.
    sent = answered = 0
    per_customer: dict[int, dict] = {}
    for row in (
        surveys.values("contract__customer_id", "contract__customer__name")
        .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by("contract__customer__name")
    ):
        sent += row["sent"]
        answered += row["answered"]
        per_customer[row["contract__customer_id"]] = {
            "id": row["contract__customer_id"],
            "name": row["contract__customer__name"],
            "sent": row["sent"],
            "answered": row["answered"],
            "response_rate": _rate(row["answered"], row["sent"]),
        }
    for customer_id, distribution in customer_scores.items():
        entry = per_customer.setdefault(
            customer_id,
            {"id": customer_id, "name": "", "sent": 0, "answered": 0, "response_rate": None},
        )
        entry["average"] = _average(distribution)
        entry["answers"] = sum(distribution.values())
    for entry in per_customer.values():
        entry.setdefault("average", None)
        entry.setdefault("answers", 0)
    # 4. Ticket ratings.
    ticket_ratings = _empty_distribution()
    for row in ratings.values("score").annotate(n=Count("pk")).order_by():
        ticket_ratings[row["score"]] += row["n"]
    # 5. Return visits.
    visit_scores = _empty_distribution()
    calls = reached = 0
    for row in visits.values("reached", "score").annotate(n=Count("pk")).order_by():
        calls += row["n"]
        if row["reached"]:
            reached += row["n"]
        if row["score"] in visit_scores:
            visit_scores[row["score"]] += row["n"]
    return {
        "year": year,
        "question_scores": questions,
        "question_texts": texts,
        "overall_average": _average(overall),
        "surveys": {
            "sent": sent,
            "answered": answered,
            "response_rate": _rate(answered, sent),
        },
        "customers": per_customer,
        "ticket_ratings": {
            "count": sum(ticket_ratings.values()),
            "average": _average(ticket_ratings),
            "distribution": ticket_ratings,
        },
        "return_visits": {
            "count": calls,
            "reached": reached,
            "scored": sum(visit_scores.values()),
            "average": _average(visit_scores),
            "distribution": visit_scores,
        },
    }


def satisfaction_year(*, year: int, customer=None) -> dict:
    """The figures of the yearly satisfaction analysis (满意度统计分析), for all customers or one.

    Surveys count in the year their half year starts; ticket ratings by when they were given,
    return visits by when the call was made (local dates). Averages are floats rounded to 2
    decimals, rates fractions 0..1 rounded to 4, None when there is nothing to average.
    A constant number of queries (15), whatever the number of surveys. The shape::

        {
          "year": 2026,
          "customer": {"id": 1, "name": "…"} | None,
          "overall_average": 4.25 | None,        # all rating answers of all surveys
          "surveys": {"sent": 8, "answered": 6, "response_rate": 0.75 | None},
          "questions": [                          # every question of the year's questionnaires
            {"id": 3, "order": 1, "text": "…", "kind": "rating" | "text",
             "questionnaire": "维护工作客户意见征询表 v1",
             "count": 6,                          # answers given (ratings or texts)
             "average": 4.5 | None,               # None for text questions
             "distribution": {1: 0, 2: 0, 3: 1, 4: 1, 5: 4},   # all zero for text questions
             "previous_average": 4.0 | None,      # same question text, year - 1
             "change": 0.5 | None},
          ],
          "customers": [                          # by name
            {"id": 1, "name": "…", "sent": 2, "answered": 2, "response_rate": 1.0 | None,
             "average": 4.2 | None, "answers": 10},   # answers = rating answers counted
          ],
          "ticket_ratings": {"count": 12, "average": 4.6 | None,
                             "distribution": {1: 0, 2: 0, 3: 1, 4: 3, 5: 8}},
          "return_visits": {"count": 5, "reached": 4, "scored": 4, "average": 4.75 | None,
                            "distribution": {1: 0, …, 5: 3}},
          "comments": [                           # every free text, oldest first
            {"source": "survey" | "rating" | "return_visit", "customer": "…",
             "date": date, "text": "…",
             "question": "…" (survey) | "", "ticket": "T-…" (rating, return visit) | ""},
          ],
          "actions": [                            # follow-ups of return visits, oldest first
            {"customer": "…", "date": date, "ticket": "T-…", "text": "…"},
          ],
          "previous": {                           # the same figures for year - 1
            "year": 2025, "overall_average": …, "surveys": {…},
            "ticket_ratings": {…}, "return_visits": {…},
          },
          "trend": {                              # this year minus the previous; None if either
            "overall_average": 0.25 | None,       # side has no data
            "response_rate": -0.05 | None,
            "ticket_rating_average": 0.1 | None,
            "return_visit_average": None,
          },
        }
    """
    from tickets.models import Rating

    current = _figures(year, customer)
    previous = _figures(year - 1, customer)
    start, end = _year_bounds(year)

    # Question texts: the questions of every questionnaire surveyed this year or the last.
    question_rows = list(
        Question.objects.filter(questionnaire__surveys__period_start__year__in=[year, year - 1])
        .select_related("questionnaire")
        .distinct()
        .order_by("questionnaire__code", "questionnaire__version", "order", "pk")
    )
    previous_by_text: dict[str, dict[int, int]] = defaultdict(_empty_distribution)
    for question in question_rows:
        for score, n in previous["question_scores"].get(question.pk, {}).items():
            previous_by_text[question.text][score] += n
    questions = []
    surveyed_this_year = set(current["question_scores"]) | set(current["question_texts"])
    surveyed_ids = set(
        Survey.objects.filter(period_start__year=year)
        .values_list("questionnaire_id", flat=True)
        .distinct()
    )
    for question in question_rows:
        if question.questionnaire_id not in surveyed_ids and question.pk not in surveyed_this_year:
            continue
        distribution = current["question_scores"].get(question.pk, _empty_distribution())
        average = _average(distribution)
        if question.kind == Question.Kind.RATING:
            count = sum(distribution.values())
            previous_average = _average(previous_by_text.get(question.text, {}))
        else:
            count = current["question_texts"].get(question.pk, 0)
            previous_average = None
        questions.append(
            {
                "id": question.pk,
                "order": question.order,
                "text": question.text,
                "kind": question.kind,
                "questionnaire": str(question.questionnaire),
                "count": count,
                "average": average,
                "distribution": distribution,
                "previous_average": previous_average,
                "change": _change(average, previous_average),
            }
        )

    # Free texts: survey answers, rating comments, what was said on return visits.
    comments = []
    text_answers = SurveyAnswer.objects.filter(survey__period_start__year=year).exclude(text="")
    rating_comments = Rating.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        comment=""
    )
    visits = ReturnVisit.objects.filter(called_at__gte=start, called_at__lt=end).filter(
        ~Q(answers="") | ~Q(follow_up="")
    )
    if customer is not None:
        text_answers = text_answers.filter(survey__contract__customer=customer)
        rating_comments = rating_comments.filter(ticket__customer=customer)
        visits = visits.filter(ticket__customer=customer)
    for row in text_answers.values(
        "text",
        "question__text",
        "survey__answered_at",
        "survey__sent_at",
        "survey__contract__customer__name",
    ).order_by():
        moment = row["survey__answered_at"] or row["survey__sent_at"]
        comments.append(
            {
                "source": "survey",
                "customer": row["survey__contract__customer__name"],
                "date": timezone.localdate(moment),
                "text": row["text"],
                "question": row["question__text"],
                "ticket": "",
            }
        )
    for row in rating_comments.values(
        "comment", "created_at", "ticket__number", "ticket__customer__name"
    ).order_by():
        comments.append(
            {
                "source": "rating",
                "customer": row["ticket__customer__name"],
                "date": timezone.localdate(row["created_at"]),
                "text": row["comment"],
                "question": "",
                "ticket": row["ticket__number"],
            }
        )
    actions = []
    for row in visits.values(
        "answers", "follow_up", "called_at", "ticket__number", "ticket__customer__name"
    ).order_by("called_at", "pk"):
        day = timezone.localdate(row["called_at"])
        if row["answers"]:
            comments.append(
                {
                    "source": "return_visit",
                    "customer": row["ticket__customer__name"],
                    "date": day,
                    "text": row["answers"],
                    "question": "",
                    "ticket": row["ticket__number"],
                }
            )
        if row["follow_up"]:
            actions.append(
                {
                    "customer": row["ticket__customer__name"],
                    "date": day,
                    "ticket": row["ticket__number"],
                    "text": row["follow_up"],
                }
            )
    comments.sort(key=lambda item: (item["date"], item["source"], item["customer"]))

    def summary(figures: dict) -> dict:
        return {
            "year": figures["year"],
            "overall_average": figures["overall_average"],
            "surveys": figures["surveys"],
            "ticket_ratings": figures["ticket_ratings"],
            "return_visits": figures["return_visits"],
        }

    return {
        **summary(current),
        "customer": None if customer is None else {"id": customer.pk, "name": customer.name},
        "questions": questions,
        "customers": sorted(current["customers"].values(), key=lambda c: (c["name"], c["id"])),
        "comments": comments,
        "actions": actions,
        "previous": summary(previous),
        "trend": {
            "overall_average": _change(current["overall_average"], previous["overall_average"]),
            "response_rate": _change(
                current["surveys"]["response_rate"], previous["surveys"]["response_rate"]
            ),
            "ticket_rating_average": _change(
                current["ticket_ratings"]["average"], previous["ticket_ratings"]["average"]
            ),
            "return_visit_average": _change(
                current["return_visits"]["average"], previous["return_visits"]["average"]
            ),
        },
    }
