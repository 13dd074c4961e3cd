"""The yearly satisfaction analysis (满意度统计分析报告), seed 002, 4.5.4."""

from django.utils.translation import gettext as _

from reports import charts
from reports.pdf import render_pdf


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else 100.0 * fraction


def satisfaction_data(*, year: int, customer=None) -> dict:
    """The year's figures from `reports.satisfaction.satisfaction_year`, shaped for the template.

    Rates become percentages (0–100); rating questions and free-text questions are
    listed apart. The training held in the year (seed 000, 002) is counted beside them.
    """
    from reports.satisfaction import satisfaction_year
    from training.selectors import training_year

    raw = satisfaction_year(year=year, customer=customer)
    previous = raw.get("previous") or {}
    surveys = raw.get("surveys") or {}
    questions = raw.get("questions") or []
    return {
        "year": raw.get("year", year),
        "overall_average": raw.get("overall_average"),
        "surveys": {
            "sent": surveys.get("sent", 0),
            "answered": surveys.get("answered", 0),
            "rate": _percent(surveys.get("response_rate")),
        },
        "questions": [q for q in questions if q.get("kind", "rating") == "rating"],
        "text_questions": [q for q in questions if q.get("kind") == "text"],
        "customers": [
            {**c, "rate": _percent(c.get("response_rate"))} for c in raw.get("customers") or []
        ],
        "ratings": raw.get("ticket_ratings") or {"count": 0, "average": None},
        "return_visits": raw.get("return_visits") or {"count": 0, "reached": 0, "average": None},
        "comments": raw.get("comments") or [],
        "actions": raw.get("actions") or [],
        "training": training_year(year=year, customer=customer),
        "previous": {
            "year": previous.get("year", year - 1),
            "overall_average": previous.get("overall_average"),
            "rate": _percent((previous.get("surveys") or {}).get("response_rate")),
            "surveys": previous.get("surveys") or {},
            "ratings": previous.get("ticket_ratings") or {},
            "return_visits": previous.get("return_visits") or {},
        },
    }


def _score_percent(average: float | None) -> float | None:
    """A 1–5 average as a share of the best score, for the 0–100 charts."""
    return None if average is None else average * 20.0


def _charts(data: dict, *, year: int) -> dict:
    """Scores per question, response rate per customer, and this year beside the last."""
    question_chart = charts.bar_chart(
        [
            charts.Bar(
                label=q["text"],
                value=q.get("average"),
                note=f"{q['average']:.2f}/5" if q.get("average") is not None else "",
            )
            for q in data["questions"]
        ],
        title=_("Average score per question"),
        max_value=5.0,
        unit_percent=False,
        width=640,
    )
    customer_chart = charts.bar_chart(
        [
            charts.Bar(label=c["name"], value=c.get("rate"), note=f"{c['answered']}/{c['sent']}")
            for c in data["customers"]
        ],
        title=_("Response rate per customer"),
        width=640,
    )
    previous = data["previous"]
    trend_chart = charts.trend_chart(
        [str(year - 1), str(year)],
        [
            charts.Series(_("Response rate"), [previous["rate"], data["surveys"]["rate"]]),
            charts.Series(
                _("Survey score (average × 20)"),
                [
                    _score_percent(previous["overall_average"]),
                    _score_percent(data["overall_average"]),
                ],
            ),
            charts.Series(
                _("Ticket ratings (average × 20)"),
                [
                    _score_percent(previous["ratings"].get("average")),
                    _score_percent(data["ratings"].get("average")),
                ],
            ),
        ],
        title=_("Compared with the previous year"),
        width=640,
        height=260,
    )
    return {
        "question_chart": question_chart,
        "customer_chart": customer_chart,
        "trend_chart": trend_chart,
    }


def satisfaction_context(*, year: int, customer=None) -> dict:
    from contracts.models import Customer

    if customer is not None and not hasattr(customer, "pk"):
        customer = Customer.objects.get(pk=customer)
    data = satisfaction_data(year=year, customer=customer)
    return {
        "data": data,
        "year": year,
        "customer": customer,
        **_charts(data, year=year),
        "title": _("Satisfaction analysis %(year)s") % {"year": year},
        "header": customer.name if customer else _("All customers"),
    }


def satisfaction_year_pdf(*, year: int, customer=None) -> bytes:
    """满意度统计分析报告: response rates, scores, trend, comments and actions taken."""
    return render_pdf(
        "reports/satisfaction_year.html", satisfaction_context(year=year, customer=customer)
    )
