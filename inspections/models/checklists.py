"""Checklists (巡检表): versioned templates of sections and items, grouped like seed 004, 7.3.2
(base software, application, network, security)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped


class ChecklistTemplate(Timestamped):
    """A versioned checklist; an inspection keeps the exact version it was carried out with."""

    name = models.CharField(_("name"), max_length=150)
    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_code_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistSection(Timestamped):
    """A group of items, e.g. base software, application, network, security (seed 004, 7.3.2.1)."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=150)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")

    def __str__(self) -> str:
        return self.title


class ChecklistItem(Timestamped):
    class AnswerKind(models.TextChoices):
        PASS_FAIL = "pass_fail", _("Pass or fail")
        NUMBER = "number", _("Measured value")
        TEXT = "text", _("Text")

    section = models.ForeignKey(
        ChecklistSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("what to check"), max_length=300)
    guidance = models.TextField(_("how to check"), blank=True)
    answer_kind = models.CharField(_("answer"), max_length=10, choices=AnswerKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    min_value = models.DecimalField(
        _("lowest acceptable"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest acceptable"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    change_threshold_percent = models.PositiveSmallIntegerField(
        _("flag a change from last time above (%)"), null=True, blank=True
    )
    required = models.BooleanField(_("required"), default=True)
    photo_required = models.BooleanField(_("photo required"), default=False)

    class Meta:
        ordering = ["section", "order", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text
