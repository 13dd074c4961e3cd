"""The knowledge pages: the list with its search, an article, writing one from a resolved
ticket in one click, publishing; the ticket page's panel; customers read only the
published public articles (list, id, page); bad input is kept on the form."""

import pytest

from knowledge.models import Article

pytestmark = pytest.mark.django_db


def _client(client, user, language=None):
    client.force_login(user)
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def test_staff_search_in_chinese_and_english(client, world, articles):
    c = _client(client, world["engineer"], "en")
    html = c.get("/knowledge/", {"q": "通讯中断"}).content.decode()
    assert articles["public"].title in html and articles["english"].title not in html
    assert "Draft" in html  # the draft matches too, marked
    html = c.get("/knowledge/", {"q": "gateway link"}).content.decode()
    # Every word in it ranks first; the other gateway article (close enough) after it.
    assert articles["english"].title in html and articles["internal"].title not in html
    if articles["public"].title in html:
        assert html.index(articles["english"].title) < html.index(articles["public"].title)
    html = c.get("/knowledge/", {"product": "Platform"}).content.decode()
    assert articles["internal"].title in html and articles["english"].title not in html
    html = c.get("/knowledge/", {"q": "nothing like this"}).content.decode()
    assert "No article matches this search." in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"q": "%"},
        {"q": "_%_"},
        {"q": "   "},
        {"q": "网" * 20000},
        {"product": "\x00"},
        {"product": "不存在"},
        {"state": "nope"},
    ],
)
def test_odd_searches_answer_a_page(client, world, articles, params):
    assert _client(client, world["manager"]).get("/knowledge/", params).status_code == 200


def test_customers_never_see_drafts_or_internal_articles(client, world, articles):
    c = _client(client, world["customer_user"], "en")
    html = c.get("/knowledge/").content.decode()
    assert articles["public"].title in html and articles["english"].title in html
    assert articles["draft"].title not in html and articles["internal"].title not in html
    assert "Draft" not in html and "Write an article" not in html
    # A draft's articles by search: still nothing.
    assert articles["draft"].title not in c.get("/knowledge/", {"q": "草稿"}).content.decode()
    for hidden in (articles["draft"], articles["internal"]):
        assert c.get(f"/knowledge/{hidden.pk}/").status_code == 404
    page = c.get(f"/knowledge/{articles['public'].pk}/")
    assert page.status_code == 200 and "查看指示灯" in page.content.decode()
    assert c.get("/knowledge/new/").status_code == 403
    assert c.get(f"/knowledge/{articles['public'].pk}/edit/").status_code == 403
    assert c.get("/knowledge/99999999999999999999/").status_code == 404
    # The portal's menu leads here.
    assert 'href="/knowledge/"' in c.get("/portal/").content.decode()


def test_write_an_article_from_a_resolved_ticket_in_one_click(client, world, resolved):
    c = _client(client, world["manager"], "en")
    page = c.get(f"/desk/tickets/{resolved.number}/").content.decode()
    assert 'data-testid="knowledge"' in page
    link = f"/knowledge/new/?ticket={resolved.number}"
    assert link in page and "Write an article from this ticket" in page
    form = c.get(link)
    html = form.content.decode()
    assert form.status_code == 200
    assert f'value="{resolved.summary}"' in html and "1. 重启 4G 模块" in html
    assert f'name="source_ticket" value="{resolved.number}"' in html
    data = {
        "title": resolved.summary,
        "product": "Gateway",
        "model": "GW-200",
        "symptom": "网关离线",
        "cause": "",
        "steps": "1. 重启 4G 模块",
        "prevention": "",
        "is_public": "on",
        "source_ticket": resolved.number,
        "publish": "on",
        "form_token": "k-1",
    }
    response = c.post("/knowledge/new/", data)
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/knowledge/{article.pk}/"
    assert article.source_ticket == resolved and article.is_published and article.is_public
    # A double click writes one article.
    assert c.post("/knowledge/new/", data).status_code == 302
    assert Article.objects.count() == 1
    page = c.get(f"/knowledge/{article.pk}/").content.decode()
    assert f"/desk/tickets/{resolved.number}/" in page
    # The ticket page names the article written from it.
    assert article.title in c.get(f"/desk/tickets/{resolved.number}/").content.decode()


def test_an_open_ticket_offers_no_article_and_its_number_is_refused(client, world, articles):
    from tests.knowledge.conftest import gateway_fault

    ticket = gateway_fault(world)
    c = _client(client, world["engineer"], "en")
    page = c.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Write an article from this ticket" not in page
    # Suggested on the ticket page, the model's articles first.
    assert 'data-testid="suggested-articles"' in page and articles["public"].title in page
    assert articles["draft"].title not in page.split('data-testid="suggested-articles"')[1]
    html = c.get(f"/knowledge/new/?ticket={ticket.number}").content.decode()
    assert "Only a resolved or closed ticket can become an article." in html
    response = c.post(
        "/knowledge/new/",
        {"title": "t", "symptom": "s", "steps": "x", "source_ticket": ticket.number},
    )
    assert response.status_code == 400 and not Article.objects.filter(title="t").exists()


def test_engineers_save_drafts_and_managers_publish(client, world):
    c = _client(client, world["engineer"], "en")
    data = {"title": "网关离线", "symptom": "离线", "steps": "重启", "form_token": "e-1"}
    # An engineer has no "publish now"; posting it anyway changes nothing.
    assert 'name="publish"' not in c.get("/knowledge/new/").content.decode()
    response = c.post("/knowledge/new/", {**data, "publish": "on"})
    article = Article.objects.get()
    assert response.status_code == 302 and article.state == Article.State.DRAFT
    assert c.post(f"/knowledge/{article.pk}/publish/").status_code == 302
    article.refresh_from_db()
    assert article.state == Article.State.DRAFT
    c = _client(client, world["manager"], "en")
    assert c.post(f"/knowledge/{article.pk}/publish/").status_code == 302
    article.refresh_from_db()
    assert article.is_published
    assert c.post(f"/knowledge/{article.pk}/other/").status_code == 404
    assert c.get(f"/knowledge/{article.pk}/publish/").status_code == 405


def test_bad_input_keeps_what_was_typed(client, world, articles):
    c = _client(client, world["engineer"], "en")
    response = c.post(
        "/knowledge/new/",
        {"title": "保留的标题", "symptom": "", "steps": "第一步", "form_token": "b-1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="保留的标题"' in html and "第一步" in html
    assert 'data-field-error="symptom"' in html
    for data in (
        {"title": "a\x00b", "symptom": "s", "steps": "x"},
        {"title": "t", "symptom": "s", "steps": "x" * 10001},
        {"title": "t", "symptom": "s", "steps": "x", "source_ticket": "9" * 40},
        {"title": "t", "symptom": "s", "steps": "x", "source_ticket": "\x00"},
    ):
        assert c.post("/knowledge/new/", data).status_code == 400
    assert Article.objects.count() == len(articles)
    # Editing: the same, on the draft.
    draft = articles["draft"]
    response = c.post(f"/knowledge/{draft.pk}/edit/", {"title": "", "symptom": "s", "steps": "x"})
    assert response.status_code == 400
    response = c.post(
        f"/knowledge/{draft.pk}/edit/",
        {
            "title": "网关通讯中断（已补充）",
            "symptom": "s",
            "steps": "1. 重启",
            "form_token": "b-2",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.revision == 2 and draft.title == "网关通讯中断（已补充）"
    # A published article is not the engineer's to change.
    assert c.get(f"/knowledge/{articles['public'].pk}/edit/").status_code == 404


def test_pages_in_english_and_chinese(client, world, articles):
    c = _client(client, world["manager"], "en")
    html = c.get(f"/knowledge/{articles['draft'].pk}/").content.decode()
    assert "Knowledge base" in html and "Publish" in html and "steps" in html
    c.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    assert c.get("/knowledge/").status_code == 200
