"""Satisfaction (满意度): return visits, the half-yearly questionnaire and its answers.

Seed 002, 4.5.4: every half year the customer receives the 《维护工作客户意见征询表》;
every maintenance year the satisfaction is analysed in a written report.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class Questionnaire(Timestamped):
    name = models.CharField(_("name"), max_length=150)
    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    intro = models.TextField(_("introduction"), blank=True)
    is_active = models.BooleanField(_("sent out"), default=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Question(Timestamped):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1 to 5")
        TEXT = "text", _("Free text")

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["questionnaire", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Survey(Timestamped):
    """One questionnaire sent to one customer contact for one contract and half year."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    contact = models.ForeignKey(
        "contracts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    period_start = models.DateField(_("half year from"))
    period_end = models.DateField(_("half year to"))
    sent_at = models.DateTimeField(_("sent at"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "contract"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # The scheduled task may run any number of times: one survey per contact and half year.
            models.UniqueConstraint(
                fields=["contract", "contact", "period_start"],
                name="survey_once_per_contact_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.period_start}"


class SurveyAnswer(Timestamped):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["survey", "question__order"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.question_id}"


class ReturnVisit(Timestamped):
    """A return-visit call (回访) after a closed ticket, recorded by an agent."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="return_visits",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("called at"))
    reached = models.BooleanField(_("customer reached"), default=True)
    score = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    answers = models.TextField(_("what the customer said"), blank=True)
    follow_up = models.TextField(_("follow-up needed"), blank=True)

    class Meta:
        ordering = ["-called_at"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.called_at:%Y-%m-%d}"
