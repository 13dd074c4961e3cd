"""Satisfaction pages: the desk's overview and return visits, the contact's questionnaires."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import DESK_ROLES, Role
from accounts.selectors import customer_id_of
from core.web import role_required, run_action
from reports.models import IssuedReport, Questionnaire, ReturnVisit, Survey
from reports.selectors import issued_reports_visible_to
from reports.survey_forms import ReturnVisitForm, SurveyAnswerForm
from reports.surveys import (
    RETURN_VISIT_STATES,
    half_year_of,
    questionnaire_active,
    return_visit_record,
    survey_answer,
    survey_status,
)
from tickets.models import Ticket


def _rows(surveys):
    return [{"survey": survey, "status": survey_status(survey)} for survey in surveys]


@role_required(*DESK_ROLES)
def home(request):
    now = timezone.now()
    start, end = half_year_of(now)
    counts = Survey.objects.filter(period_start=start).aggregate(
        sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    rate = round(100 * counts["answered"] / counts["sent"]) if counts["sent"] else None
    surveys = Survey.objects.select_related(
        "contract__customer", "contact", "questionnaire"
    ).order_by("-sent_at", "-pk")[:50]
    to_call = (
        Ticket.objects.filter(state__in=RETURN_VISIT_STATES)
        .exclude(return_visits__reached=True)
        .select_related("customer", "contact")
        .annotate(attempts=Count("return_visits"))
        .order_by("-closed_at", "-resolved_at", "-pk")[:30]
    )
    visits = ReturnVisit.objects.select_related("ticket__customer", "agent")[:20]
    return render(
        request,
        "surveys/home.html",
        {
            "period_start": start,
            "period_end": end,
            "counts": counts,
            "rate": rate,
            "rows": _rows(surveys),
            "to_call": [(ticket, ReturnVisitForm(prefix=ticket.number)) for ticket in to_call],
            "visits": visits,
            "questionnaire": questionnaire_active(),
        },
    )


@require_POST
@role_required(*DESK_ROLES)
def return_visit(request, number: str):
    ticket = get_object_or_404(Ticket, number=number)
    form = ReturnVisitForm(request.POST, prefix=number)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect("surveys:home")
    data = form.cleaned_data
    run_action(
        request,
        lambda: return_visit_record(
            ticket=ticket,
            agent=request.user,
            reached=data["reached"],
            score=data["score"],
            answers=data["answers"],
            follow_up=data["follow_up"],
        ),
        success=_("Return visit on %(number)s recorded.") % {"number": ticket.number},
    )
    return redirect("surveys:home")


@role_required(*DESK_ROLES)
def preview(request, pk: int | None = None):
    if pk is None:
        questionnaire = questionnaire_active()
        if questionnaire is None:
            raise Http404
    else:
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
    form = SurveyAnswerForm(questions=list(questionnaire.questions.all()))
    return render(
        request,
        "surveys/preview.html",
        {"questionnaire": questionnaire, "form": form},
    )


@role_required(Role.CUSTOMER)
def portal(request):
    contact = getattr(request.user, "contact", None)
    surveys = (
        Survey.objects.filter(contact=contact)
        .select_related("contract", "questionnaire")
        .order_by("-period_start", "-pk")
        if contact is not None
        else Survey.objects.none()
    )
    rows = _rows(surveys)
    context = {
        "rows": rows,
        "open": sum(1 for row in rows if row["status"] != "answered"),
        "issued": _yearly_analyses(request.user),
    }
    return render(request, "surveys/portal.html", context)


def _yearly_analyses(user) -> list[IssuedReport]:
    """The yearly satisfaction analyses issued to the contact's organisation and ready, latest
    year first (seed 002, 4.5.4: 提交书面报告); the portal's Reports page lists them too."""
    issues = issued_reports_visible_to(user).filter(kind=IssuedReport.Kind.SATISFACTION_YEAR)
    return [issue for issue in issues.order_by("-year", "-version") if issue.is_ready]


@role_required(Role.CUSTOMER)
def portal_report(request, year: int):
    """The older address of a year's analysis: it leads to the report issued for that year,
    whose download checks who asks (the one rule); a year not issued is 404."""
    for issue in _yearly_analyses(request.user):
        if issue.year == year:
            return redirect("portal_reports:download", pk=issue.pk)
    raise Http404


@role_required(Role.CUSTOMER)
def answer(request, pk: int):
    customer_id = customer_id_of(request.user)
    if customer_id is None:
        raise Http404
    survey = get_object_or_404(
        Survey.objects.select_related("contract", "contact", "questionnaire"),
        pk=pk,
        contract__customer_id=customer_id,
    )
    questions = list(survey.questionnaire.questions.all())
    may_answer = survey.answered_at is None and survey.contact.user_id == request.user.pk
    form = None
    if may_answer:
        form = SurveyAnswerForm(request.POST or None, questions=questions)
        if request.method == "POST" and form.is_valid():
            try:
                survey_answer(survey=survey, user=request.user, answers=form.answers())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Thank you for answering our survey."))
                return redirect("surveys:answer", pk=survey.pk)
    elif request.method == "POST":
        messages.error(request, _("This survey cannot be answered any more."))
        return redirect("surveys:answer", pk=survey.pk)
    given = {row.question_id: row for row in survey.answers.all()}
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "answered": [(question, given.get(question.pk)) for question in questions],
            "status": survey_status(survey),
        },
    )
