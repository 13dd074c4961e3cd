"""The yearly satisfaction analysis (满意度统计分析): the figures, for all customers or one.

Seed 002, 4.5.4: every maintenance year the satisfaction is analysed in a
written report (reports/documents/satisfaction.py renders it). Surveys count in
the year their half year starts; ticket ratings by when they were given,
return visits by when the call was made (local dates). Averages are floats
rounded to 2 decimals, rates fractions 0..1 rounded to 4, None when there is
nothing to average. A constant number of queries (15), whatever the number of
surveys. The shape `satisfaction_year` returns::

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

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reports.models import Question, ReturnVisit, Survey, SurveyAnswer
from reports.surveys import RATINGS
from tickets.models import Rating


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


# --- one year's figures -------------------------------------------------------------------


@dataclass
class _Year:
    """What one year's figures are counted from, narrowed to a customer if one is given."""

    surveys: QuerySet
    answers: QuerySet
    ratings: QuerySet
    visits: QuerySet

    @classmethod
    def of(cls, year: int, customer) -> "_Year":
        start, end = _year_bounds(year)
        scope = cls(
            surveys=Survey.objects.filter(period_start__year=year),
            answers=SurveyAnswer.objects.filter(survey__period_start__year=year),
            ratings=Rating.objects.filter(created_at__gte=start, created_at__lt=end),
            visits=ReturnVisit.objects.filter(called_at__gte=start, called_at__lt=end),
        )
        if customer is not None:
            scope.surveys = scope.surveys.filter(contract__customer=customer)
            scope.answers = scope.answers.filter(survey__contract__customer=customer)
            scope.ratings = scope.ratings.filter(ticket__customer=customer)
            scope.visits = scope.visits.filter(ticket__customer=customer)
        return scope


def _rating_answers(answers: QuerySet) -> tuple[dict, dict, dict]:
    """Rating answers by question, by customer and overall, as score distributions."""
    questions: dict[int, dict] = {}
    by_customer: dict[int, dict[int, int]] = defaultdict(_empty_distribution)
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
        by_customer[row["survey__contract__customer_id"]][row["rating"]] += row["n"]
        overall[row["rating"]] += row["n"]
    return questions, by_customer, overall


def _customers(surveys: QuerySet, scores: dict[int, dict[int, int]]) -> dict[int, dict]:
    """Surveys sent and answered, and the rating average, per customer."""
    per_customer: dict[int, dict] = {}
    for row in (
        surveys.values("contract__customer_id", "contract__customer__name")
        .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by("contract__customer__name")
    ):
        per_customer[row["contract__customer_id"]] = {
            "id": row["contract__customer_id"],
            "name": row["contract__customer__name"],
            "sent": row["sent"],
            "answered": row["answered"],
            "response_rate": _rate(row["answered"], row["sent"]),
        }
    for customer_id, distribution in scores.items():
        entry = per_customer.setdefault(
            customer_id,
            {"id": customer_id, "name": "", "sent": 0, "answered": 0, "response_rate": None},
        )
        entry["average"] = _average(distribution)
        entry["answers"] = sum(distribution.values())
    for entry in per_customer.values():
        entry.setdefault("average", None)
        entry.setdefault("answers", 0)
    return per_customer


def _ticket_ratings(ratings: QuerySet) -> dict:
    scores = _empty_distribution()
    for row in ratings.values("score").annotate(n=Count("pk")).order_by():
        scores[row["score"]] += row["n"]
    return {"count": sum(scores.values()), "average": _average(scores), "distribution": scores}


def _return_visits(visits: QuerySet) -> dict:
    scores = _empty_distribution()
    calls = reached = 0
    for row in visits.values("reached", "score").annotate(n=Count("pk")).order_by():
        calls += row["n"]
        if row["reached"]:
            reached += row["n"]
        if row["score"] in scores:
            scores[row["score"]] += row["n"]
    return {
        "count": calls,
        "reached": reached,
        "scored": sum(scores.values()),
        "average": _average(scores),
        "distribution": scores,
    }


def _figures(year: int, customer) -> dict:
    """The numeric figures of one year (the part the trend compares); 5 queries."""
    scope = _Year.of(year, customer)
    questions, customer_scores, overall = _rating_answers(scope.answers)
    texts = {
        row["question_id"]: row["n"]
        for row in scope.answers.exclude(text="")
        .values("question_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    customers = _customers(scope.surveys, customer_scores)
    sent = sum(c["sent"] for c in customers.values())
    answered = sum(c["answered"] for c in customers.values())
    return {
        "year": year,
        "question_scores": questions,
        "question_texts": texts,
        "overall_average": _average(overall),
        "surveys": {"sent": sent, "answered": answered, "response_rate": _rate(answered, sent)},
        "customers": customers,
        "ticket_ratings": _ticket_ratings(scope.ratings),
        "return_visits": _return_visits(scope.visits),
    }


# --- the analysis -------------------------------------------------------------------------


def _questions(year: int, current: dict, previous: dict) -> list[dict]:
    """Each question surveyed this year with its scores, beside the same text a year before."""
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
    surveyed_this_year = set(current["question_scores"]) | set(current["question_texts"])
    surveyed_ids = set(
        Survey.objects.filter(period_start__year=year)
        .values_list("questionnaire_id", flat=True)
        .distinct()
    )
    questions = []
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
    return questions


def _comment(source: str, customer: str, day, text: str, question="", ticket="") -> dict:
    return {
        "source": source,
        "customer": customer,
        "date": day,
        "text": text,
        "question": question,
        "ticket": ticket,
    }


def _comments_and_actions(year: int, customer) -> tuple[list[dict], list[dict]]:
    """Free texts (survey answers, rating comments, what was said on return visits), oldest
    first, and the follow-ups promised on return visits."""
    scope = _Year.of(year, customer)
    comments = []
    for row in (
        scope.answers.exclude(text="")
        .values(
            "text",
            "question__text",
            "survey__answered_at",
            "survey__sent_at",
            "survey__contract__customer__name",
        )
        .order_by()
    ):
        moment = row["survey__answered_at"] or row["survey__sent_at"]
        customer_name = row["survey__contract__customer__name"]
        day = timezone.localdate(moment)
        comments.append(
            _comment("survey", customer_name, day, row["text"], question=row["question__text"])
        )
    for row in (
        scope.ratings.exclude(comment="")
        .values("comment", "created_at", "ticket__number", "ticket__customer__name")
        .order_by()
    ):
        day = timezone.localdate(row["created_at"])
        comments.append(
            _comment(
                "rating",
                row["ticket__customer__name"],
                day,
                row["comment"],
                ticket=row["ticket__number"],
            )
        )
    actions = []
    visits = scope.visits.filter(~Q(answers="") | ~Q(follow_up=""))
    for row in visits.values(
        "answers", "follow_up", "called_at", "ticket__number", "ticket__customer__name"
    ).order_by("called_at", "pk"):
        day, name, ticket = (
            timezone.localdate(row["called_at"]),
            row["ticket__customer__name"],
            row["ticket__number"],
        )
        if row["answers"]:
            comments.append(_comment("return_visit", name, day, row["answers"], ticket=ticket))
        if row["follow_up"]:
            actions.append(
                {"customer": name, "date": day, "ticket": ticket, "text": row["follow_up"]}
            )
    comments.sort(key=lambda item: (item["date"], item["source"], item["customer"]))
    return comments, actions


def _summary(figures: dict) -> dict:
    return {
        "year": figures["year"],
        "overall_average": figures["overall_average"],
        "surveys": figures["surveys"],
        "ticket_ratings": figures["ticket_ratings"],
        "return_visits": figures["return_visits"],
    }


def satisfaction_year(*, year: int, customer=None) -> dict:
    """The figures of the yearly satisfaction analysis; the shape is in the module's docstring."""
    current = _figures(year, customer)
    previous = _figures(year - 1, customer)
    questions = _questions(year, current, previous)
    comments, actions = _comments_and_actions(year, customer)
    return {
        **_summary(current),
        "customer": None if customer is None else {"id": customer.pk, "name": customer.name},
        "questions": questions,
        "customers": sorted(current["customers"].values(), key=lambda c: (c["name"], c["id"])),
        "comments": comments,
        "actions": actions,
        "previous": _summary(previous),
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
