"""Reading the knowledge base: who reads which article, the search (Chinese and English,
PostgreSQL's pg_trgm, no word segmenter), the articles suggested on a ticket, and what an
article written from a ticket starts with."""

import re

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from accounts.selectors import customer_id_of
from knowledge import permissions as may
from knowledge.models import Article, step_lines
from tickets.models import State as TicketState

# A search is a few words; what is longer is cut, not refused.
MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
SUGGESTED = 5
# How close a ticket's summary must come to an article's text (pg_trgm word similarity)
# when neither the product nor the model matches.
SUGGEST_SIMILARITY = 0.3
# Spaces and the punctuation people type between words, Chinese included.
_SEPARATORS = re.compile(r"[\s,，、;；:：。.!！?？\"“”'‘’()（）\[\]【】]+")


def articles_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[Article]:
    """The one rule: the vendor's staff read every article, drafts and internal ones too; a
    customer contact reads the published articles marked public, nothing else."""
    articles = Article.objects.all() if queryset is None else queryset
    articles = articles.select_related("author", "source_ticket")
    if may.read_all_articles(user):
        return articles
    if user and user.is_authenticated and customer_id_of(user) is not None:
        return articles.filter(state=Article.State.PUBLISHED, is_public=True)
    return Article.objects.none()


def search_terms(query) -> list[str]:
    """The words of a search, lower case, each once: what cannot be stored (NUL, lone
    surrogates) is dropped, the query cut at MAX_QUERY_LENGTH, at most MAX_TERMS words."""
    text = query if isinstance(query, str) else ""
    text = "".join(c for c in text[: MAX_QUERY_LENGTH * 2] if c != "\x00" and not _surrogate(c))
    terms: list[str] = []
    for term in _SEPARATORS.split(text[:MAX_QUERY_LENGTH].lower()):
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def articles_search(queryset: QuerySet[Article], query) -> QuerySet[Article]:
    """The articles holding every word of the query (LIKE '%word%' on the lower-case
    `search_text`, which the GIN trigram index serves, Chinese included) or close to the
    whole query (pg_trgm word similarity, for a word typed a little differently), best
    first: words in the title count most, then similarity. `%` and `_` are searched for as
    themselves. An empty query changes nothing."""
    terms = search_terms(query)
    if not terms:
        return queryset
    phrase = " ".join(terms)
    every_word = Q()
    for term in terms:
        every_word &= Q(search_text__contains=term)
    in_title = [
        Case(When(title__icontains=term, then=Value(1.0)), default=Value(0.0)) for term in terms
    ]
    rank = TrigramWordSimilarity(phrase, "search_text")
    for score in in_title:
        rank = rank + score
    return (
        queryset.filter(every_word | Q(search_text__trigram_word_similar=phrase))
        .annotate(rank=rank)
        .order_by("-rank", "-updated_at", "-pk")
    )


def article_products(queryset: QuerySet[Article]) -> list[str]:
    """The products the articles name, for the list's filter."""
    products = queryset.exclude(product="").order_by("product").values_list("product", flat=True)
    return list(dict.fromkeys(products.distinct()))


def articles_of_product(queryset: QuerySet[Article], product) -> QuerySet[Article]:
    """A product's articles: by the product's name or by its model."""
    name = product.strip() if isinstance(product, str) else ""
    if not name or "\x00" in name:
        return queryset if not name else queryset.none()
    return queryset.filter(Q(product__iexact=name) | Q(model__iexact=name))


def articles_suggested(ticket, user, *, limit: int = SUGGESTED) -> list[Article]:
    """Published articles for the ticket (seed 000, 1.5.3: the duty staff fix the problem
    by the manual's steps): those of the covered item's model or product, and those whose
    text comes close to the ticket's summary or the start of its description; the model
    counts most, then the product, then the text."""
    articles = articles_visible_to(user).filter(state=Article.State.PUBLISHED)
    summary = " ".join(search_terms(ticket.summary)) or "-"
    description = " ".join(search_terms((ticket.description or "")[:MAX_QUERY_LENGTH])) or "-"
    similarity = Greatest(
        TrigramWordSimilarity(Value(summary), "search_text"),
        TrigramWordSimilarity(Value(description), "search_text") * Value(0.8),
        output_field=FloatField(),
    )
    close = Q(similarity__gte=SUGGEST_SIMILARITY)
    rank = F("similarity")
    item = ticket.covered_item
    if item is not None and item.model.strip():
        close |= Q(model__iexact=item.model.strip())
        rank = rank + Case(
            When(model__iexact=item.model.strip(), then=Value(2.0)), default=Value(0.0)
        )
    if item is not None and item.name.strip():
        close |= Q(product__iexact=item.name.strip())
        rank = rank + Case(
            When(product__iexact=item.name.strip(), then=Value(1.0)), default=Value(0.0)
        )
    found = (
        articles.annotate(similarity=similarity)
        .filter(close)
        .annotate(rank=rank)
        .order_by("-rank", "-updated_at", "-pk")
    )
    return list(found[:limit])


def articles_from_ticket(ticket, user) -> list[Article]:
    """The articles written from this ticket that the user may read."""
    return list(articles_visible_to(user).filter(source_ticket=ticket).order_by("-pk"))


def ticket_may_become_article(ticket) -> bool:
    """A resolved or closed ticket: its fault report says what was wrong and what fixed it."""
    return ticket.state in (TicketState.RESOLVED, TicketState.CLOSED)


def article_initial_from_ticket(ticket) -> dict:
    """What an article written from a resolved ticket starts with: its summary as the title,
    the covered item's name and model, and the fault report's symptoms, cause (or its
    analysis) and solution as the steps."""
    report = getattr(ticket, "fault_report", None)
    item = ticket.covered_item
    symptom = (report.symptoms if report else "") or ticket.description or ticket.summary
    cause = ""
    if report is not None:
        cause = "\n".join(part for part in (report.cause, report.analysis) if part.strip())
    return {
        "title": ticket.summary,
        "product": item.name if item else "",
        "model": item.model if item else "",
        "symptom": symptom,
        "cause": cause,
        "steps": "\n".join(
            f"{n}. {line}"
            for n, line in enumerate(step_lines(report.solution if report else ""), 1)
        ),
        "prevention": report.prevention if report else "",
        "source_ticket": ticket,
    }
