"""Writes on the knowledge base: write an article (from scratch or from a resolved ticket),
change it (the text replaced is kept as a revision), publish or withdraw it. Pages, API,
admin and demo call these alone; they keep the search text the trigram index reads."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionConflict, TransitionForbidden
from core.inputs import clean_text
from knowledge import permissions as may
from knowledge.models import Article, ArticleRevision
from knowledge.selectors import article_initial_from_ticket, ticket_may_become_article

# field: (longest, required)
FIELDS = {
    "title": (200, True),
    "product": (200, False),
    "model": (100, False),
    "symptom": (5000, True),
    "cause": (5000, False),
    "steps": (10000, True),
    "prevention": (5000, False),
}
TEXT_FIELDS = ("title", "product", "model", "symptom", "cause", "steps", "prevention")


def _clean(values: dict) -> dict:
    """Every text checked by the one input rule; too long or missing is the field's error."""
    errors: dict = {}
    cleaned: dict = {}
    for field, (longest, required) in FIELDS.items():
        try:
            text = clean_text(values.get(field, ""), field=field).strip()
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if required and not text:
            errors[field] = [_("This field is required.")]
        elif len(text) > longest:
            errors[field] = [
                _("At most %(n)d characters (it has %(has)d).") % {"n": longest, "has": len(text)}
            ]
        cleaned[field] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def search_text_of(article: Article) -> str:
    """What the search reads: every text of the article, lower case."""
    return "\n".join(getattr(article, field) for field in TEXT_FIELDS).lower()


def _check_ticket(ticket) -> None:
    if ticket is not None and not ticket_may_become_article(ticket):
        raise ValidationError(
            {"source_ticket": _("Only a resolved or closed ticket can become an article.")}
        )


@transaction.atomic
def article_create(
    *,
    user,
    title: str,
    symptom: str,
    steps: str,
    product: str = "",
    model: str = "",
    cause: str = "",
    prevention: str = "",
    is_public: bool = False,
    source_ticket=None,
    publish: bool = False,
    now=None,
) -> Article:
    """A new article, a draft unless its writer publishes (managers and leaders)."""
    if not may.write_articles(user):
        raise TransitionForbidden(_("You may not write knowledge articles."))
    if publish and not may.publish_articles(user):
        raise TransitionForbidden(_("Only the management and leadership groups publish."))
    values = _clean(
        {
            "title": title,
            "product": product,
            "model": model,
            "symptom": symptom,
            "cause": cause,
            "steps": steps,
            "prevention": prevention,
        }
    )
    _check_ticket(source_ticket)
    article = Article(**values, is_public=bool(is_public), source_ticket=source_ticket, author=user)
    if publish:
        _mark_published(article, user, now)
    article.search_text = search_text_of(article)
    article.save()
    return article


def _mark_published(article: Article, user, now) -> None:
    article.state = Article.State.PUBLISHED
    article.published_at = now or timezone.now()
    article.published_by = user


@transaction.atomic
def article_change(*, article: Article, user, publish: bool | None = None, **values) -> Article:
    """Change the article's text (fields not given stay) and its public flag; `publish`
    True publishes, False withdraws it to a draft. A change of text keeps the text replaced
    as a revision and counts one more."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not may.change_article(article, user):
        raise TransitionForbidden(
            _("A published article is changed by the management and leadership groups.")
        )
    if publish is not None and publish != article.is_published and not may.publish_articles(user):
        raise TransitionForbidden(_("Only the management and leadership groups publish."))
    unknown = set(values) - {*TEXT_FIELDS, "is_public"}
    if unknown:
        raise TypeError(f"article_change() got unexpected fields {sorted(unknown)}")
    current = {field: getattr(article, field) for field in TEXT_FIELDS}
    cleaned = _clean({**current, **{k: v for k, v in values.items() if k in TEXT_FIELDS}})
    if cleaned != current:
        ArticleRevision.objects.create(
            article=article,
            revision=article.revision,
            changed_by=user,
            **{field: current[field] for field in ("title", "symptom", "cause", "steps")},
            prevention=current["prevention"],
        )
        for field, value in cleaned.items():
            setattr(article, field, value)
        article.revision += 1
        article.search_text = search_text_of(article)
    if "is_public" in values and values["is_public"] is not None:
        article.is_public = bool(values["is_public"])
    if publish is True and not article.is_published:
        _mark_published(article, user, None)
    elif publish is False and article.is_published:
        article.state = Article.State.DRAFT
    article.save()
    return article


def article_publish(*, article: Article, user) -> Article:
    """Published: the duty staff see it among the suggestions, customers too if public."""
    if article.is_published:
        raise TransitionConflict(_("This article is published already."))
    return article_change(article=article, user=user, publish=True)


def article_withdraw(*, article: Article, user) -> Article:
    """Back to a draft: out of the suggestions and the portal."""
    if not article.is_published:
        raise TransitionConflict(_("This article is a draft."))
    return article_change(article=article, user=user, publish=False)


def article_from_ticket(*, ticket, user, publish: bool = False) -> Article:
    """An article written from a resolved ticket's fault report, linked back to it."""
    if not ticket_may_become_article(ticket):
        raise ValidationError(
            {"ticket": _("Only a resolved or closed ticket can become an article.")}
        )
    values = article_initial_from_ticket(ticket)
    if not values["steps"]:
        raise ValidationError(
            {"ticket": _("The ticket's fault report has no solution to make the steps of.")}
        )
    return article_create(user=user, publish=publish, **values)
