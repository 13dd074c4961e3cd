"""Writing, changing, publishing: drafts by any writer, publishing by managers and leaders,
revisions kept, the search text kept, bad input refused by field."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import TransitionConflict, TransitionForbidden
from knowledge.models import Article
from knowledge.services import (
    article_change,
    article_create,
    article_from_ticket,
    article_publish,
    article_withdraw,
)
from tests.knowledge.conftest import gateway_fault

pytestmark = pytest.mark.django_db

TEXT = {"title": "网关离线", "symptom": "离线", "steps": "1. 重启\n2) 确认"}


def test_engineers_write_drafts_and_managers_publish(world):
    article = article_create(user=world["engineer"], **TEXT)
    assert article.state == Article.State.DRAFT and article.author == world["engineer"]
    assert article.step_list == ["重启", "确认"]
    with pytest.raises(TransitionForbidden):
        article_create(user=world["engineer"], publish=True, **TEXT)
    with pytest.raises(TransitionForbidden):
        article_publish(article=article, user=world["agent"])
    article = article_publish(article=article, user=world["leader"])
    assert article.is_published and article.published_by == world["leader"]
    with pytest.raises(TransitionConflict):
        article_publish(article=article, user=world["manager"])
    # A published article is changed by those who publish only.
    with pytest.raises(TransitionForbidden):
        article_change(article=article, user=world["engineer"], title="改")
    article = article_withdraw(article=article, user=world["manager"])
    assert article.state == Article.State.DRAFT
    with pytest.raises(TransitionForbidden):
        article_create(user=world["customer_user"], **TEXT)


def test_a_change_keeps_the_text_replaced_as_a_revision(world):
    article = article_create(user=world["engineer"], **TEXT)
    article = article_change(article=article, user=world["agent"], cause="停电", title="网关掉线")
    assert article.revision == 2
    old = article.revisions.get()
    assert (old.revision, old.title, old.changed_by) == (1, "网关离线", world["agent"])
    assert "停电" in article.search_text and "网关掉线" in article.search_text
    # Only the public flag: no new revision.
    article = article_change(article=article, user=world["agent"], is_public=True)
    assert article.revision == 2 and article.is_public


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"steps": ""}, "steps"),
        ({"symptom": "x" * 5001}, "symptom"),
        ({"model": "\ud800"}, "model"),
    ],
)
def test_bad_text_is_refused_by_field(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        article_create(user=world["engineer"], **{**TEXT, **changes})
    assert field in refused.value.message_dict
    assert not Article.objects.exists()


def test_only_a_resolved_ticket_becomes_an_article(world, resolved):
    article = article_from_ticket(ticket=resolved, user=world["engineer"])
    assert article.source_ticket == resolved and article.state == Article.State.DRAFT
    assert article.steps.startswith("1. 重启 4G 模块")
    open_ticket = gateway_fault(world, summary="又一次离线")
    with pytest.raises(ValidationError) as refused:
        article_from_ticket(ticket=open_ticket, user=world["engineer"])
    assert "ticket" in refused.value.message_dict
