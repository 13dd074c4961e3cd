"""Search (Chinese and English on real PostgreSQL with pg_trgm), who reads which article, the
articles suggested on a ticket, and what an article written from a ticket starts with."""

import pytest
from django.db import connection

from knowledge.models import Article
from knowledge.selectors import (
    article_initial_from_ticket,
    articles_search,
    articles_suggested,
    articles_visible_to,
    search_terms,
)
from tests.knowledge.conftest import REPORT, gateway_fault

pytestmark = pytest.mark.django_db


def _titles(queryset) -> list[str]:
    return [a.title for a in queryset]


def test_the_migration_installed_pg_trgm_and_its_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'knowledge_search_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_a_chinese_search_finds_without_a_word_segmenter(world, articles):
    found = _titles(articles_search(articles_visible_to(world["engineer"]), "通讯中断"))
    # The public article and the draft both say it; the English one does not.
    assert set(found) == {articles["public"].title, articles["draft"].title}
    # Two short words, with Chinese punctuation between them.
    found = _titles(articles_search(articles_visible_to(world["engineer"]), "网关，离线"))
    assert found == [articles["public"].title]


def test_an_english_search_ignores_case_and_ranks_the_title_first(world, articles):
    found = _titles(articles_search(articles_visible_to(world["manager"]), "GATEWAY link down"))
    assert found[0] == articles["english"].title
    assert articles["internal"].title not in found


def test_the_search_is_served_by_the_trigram_index(world, articles):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Article.objects.filter(search_text__contains="通讯中断").explain()
    assert "knowledge_search_trgm" in plan


@pytest.mark.parametrize(
    "query",
    ["%", "_", "%_%", "    ", "\x00", "a\x00b", "\ud800", "网" * 5000, "x " * 3000, "'; --"],
)
def test_odd_searches_find_nothing_or_everything_never_fail(world, articles, query):
    found = list(articles_search(articles_visible_to(world["manager"]), query))
    if not search_terms(query):
        assert len(found) == len(articles)
    else:
        assert all(isinstance(a, Article) for a in found)
    assert not list(articles_search(Article.objects.all(), "%"))


def test_wildcards_are_searched_for_as_themselves(world, articles):
    articles["public"].refresh_from_db()
    from knowledge.services import article_change

    article_change(article=articles["public"], user=world["manager"], cause="CPU 100% 占用")
    found = _titles(articles_search(articles_visible_to(world["manager"]), "100%"))
    assert found == [articles["public"].title]


def test_customers_read_only_the_published_public_articles(world, articles):
    customer = world["customer_user"]
    visible = set(_titles(articles_visible_to(customer)))
    assert visible == {articles["public"].title, articles["english"].title}
    # Another organisation's contact reads the same public manual.
    assert set(_titles(articles_visible_to(world["other_customer_user"]))) == visible
    # Staff read everything, drafts and internal ones included.
    assert len(articles_visible_to(world["agent"])) == 4


def test_suggestions_by_the_items_model_and_the_tickets_text(world, articles):
    ticket = gateway_fault(world)
    found = articles_suggested(ticket, world["engineer"])
    titles = _titles(found)
    # Published articles of the item's model, best text match first; never the draft.
    assert titles[0] == articles["public"].title
    assert articles["english"].title in titles
    assert articles["draft"].title not in titles
    assert articles["internal"].title not in titles
    # Without a covered item, the summary alone finds it.
    world["hardware"].model = ""
    world["hardware"].name = "Something else"
    world["hardware"].save()
    ticket.refresh_from_db()
    assert _titles(articles_suggested(ticket, world["engineer"])) == [articles["public"].title]


def test_suggestions_take_few_queries(world, articles, django_assert_max_num_queries):
    ticket = gateway_fault(world)
    ticket = type(ticket).objects.select_related("covered_item").get(pk=ticket.pk)
    with django_assert_max_num_queries(2):
        articles_suggested(ticket, world["engineer"])


def test_an_article_from_a_ticket_starts_with_its_fault_report(world, resolved):
    initial = article_initial_from_ticket(resolved)
    assert initial["title"] == resolved.summary
    assert initial["product"] == world["hardware"].name
    assert initial["symptom"] == REPORT["symptoms"]
    assert initial["cause"].startswith(REPORT["cause"])
    assert initial["steps"] == "1. 重启 4G 模块\n2. 在平台确认网关上线"
    assert initial["prevention"] == REPORT["prevention"]
    assert initial["source_ticket"] == resolved
