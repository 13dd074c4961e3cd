"""Satisfaction (满意度): the half-yearly questionnaire, its answers, and return visits.

Seed 002, 4.5.4: every half year the customer receives the 《维护工作客户意见征询表》;
every maintenance year the satisfaction is analysed in a written report
(reports/satisfaction.py).
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import DESK_ROLES
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
        title = gettext_lazy("Reminder: please answer our satisfaction survey")
    else:
        title = gettext_lazy("Please answer our satisfaction survey")
    body = gettext_lazy(
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
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
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
    if role_of(agent) not in DESK_ROLES:
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
