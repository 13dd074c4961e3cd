"""Knowledge base and maintenance manual (知识库, 维护手册). Seed 000, 1.5.3:
"值班人员根据问题情况，确定解决方法，根据维护手册提供的步骤解决问题". An article says for
a product or model what the fault looks like, its cause and the steps that fix it; it is
often written from a resolved ticket's fault report."""

import re

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped

# "1." "2)" "3、" "(4)" "（5）" "步骤6:" at the start of a line: the list numbers it anyway.
_STEP_NUMBER = re.compile(r"^\s*(?:步骤\s*)?(?:\d+\s*[.)、:：．](?!\d)|[(（]\d+[)）])\s*")


def step_lines(text: str) -> list[str]:
    """The steps of a text written one per line, without the numbers typed before them."""
    lines = (_STEP_NUMBER.sub("", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


class Article(Timestamped):
    """One article of the knowledge base: symptom, cause and the steps that fix it, for a
    product (the covered item's name) or a model. Drafts are read by the vendor's staff
    only; a published article marked public is also read by every customer contact."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    product = models.CharField(
        _("product"),
        max_length=200,
        blank=True,
        help_text=_("The covered item's name, as on its contract."),
    )
    model = models.CharField(
        _("model"), max_length=100, blank=True, help_text=_("The covered item's model.")
    )
    symptom = models.TextField(_("symptom"))
    cause = models.TextField(_("cause"), blank=True)
    steps = models.TextField(_("steps"), help_text=_("One step per line, in order."))
    prevention = models.TextField(_("preventive measures"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Customers read it in the portal once published.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("written from ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the search reads: every text of the article, lower case, kept by the services.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            # pg_trgm: LIKE '%…%' (Chinese too, no word segmenter) and similarity use it.
            GinIndex(
                fields=["search_text"], opclasses=["gin_trgm_ops"], name="knowledge_search_trgm"
            ),
            models.Index(fields=["state", "is_public"], name="knowledge_state_public"),
            models.Index(fields=["model"], name="knowledge_model"),
            models.Index(fields=["product"], name="knowledge_product"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("knowledge:article", args=[self.pk])

    @property
    def step_list(self) -> list[str]:
        return step_lines(self.steps)

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class ArticleRevision(Timestamped):
    """The article as it was before a change: its history, one row per revision replaced."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions"
    )
    revision = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"))
    cause = models.TextField(_("cause"), blank=True)
    steps = models.TextField(_("steps"))
    prevention = models.TextField(_("preventive measures"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["article", "-revision"]
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "revision"], name="knowledge_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} r{self.revision}"
