"""`/api/knowledge/articles/`: the same search, visibility and services as the pages."""

import pytest

from knowledge.models import Article
from tests.knowledge.conftest import gateway_fault

pytestmark = pytest.mark.django_db

URL = "/api/knowledge/articles/"


def _titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


def test_search_and_filters(api, world, articles):
    client = api(world["engineer"])
    assert set(_titles(client.get(URL, {"q": "通讯中断"}))) == {
        articles["public"].title,
        articles["draft"].title,
    }
    assert _titles(client.get(URL, {"q": "gateway link down"}))[0] == articles["english"].title
    assert set(_titles(client.get(URL, {"product": "GW-200", "state": "published"}))) == {
        articles["public"].title,
        articles["english"].title,
    }
    for params in ({"q": "\x00"}, {"q": "%%"}, {"q": "x" * 50000}, {"state": "\x00"}):
        assert client.get(URL, params).status_code == 200
    row = client.get(f"{URL}{articles['public'].pk}/").json()
    assert row["step_list"] == ["查看指示灯", "重新拨号", "确认上线"]
    assert row["author"]


def test_customers_read_public_published_articles_only(api, world, articles):
    client = api(world["customer_user"])
    assert set(_titles(client.get(URL))) == {articles["public"].title, articles["english"].title}
    assert _titles(client.get(URL, {"state": "draft"})) == []
    for hidden in ("draft", "internal"):
        assert client.get(f"{URL}{articles[hidden].pk}/").status_code == 404
    row = client.get(f"{URL}{articles['public'].pk}/").json()
    assert row["author"] is None and row["source_ticket"] is None
    body = {"title": "t", "symptom": "s", "steps": "x"}
    assert client.post(URL, body, format="json").status_code == 403
    assert client.patch(f"{URL}{articles['public'].pk}/", body, format="json").status_code == 403
    assert client.get(f"{URL}{2**70}/").status_code == 404


def test_write_change_and_publish(api, world):
    engineer = api(world["engineer"])
    body = {"title": "网关离线", "symptom": "离线", "steps": "1. 重启", "state": "published"}
    assert engineer.post(URL, body, format="json").status_code == 403
    del body["state"]
    response = engineer.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201 and response.json()["state"] == "draft"
    again = engineer.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json()["id"] == response.json()["id"] and Article.objects.count() == 1
    pk = response.json()["id"]
    changed = engineer.patch(f"{URL}{pk}/", {"cause": "停电"}, format="json")
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    manager = api(world["manager"])
    published = manager.patch(f"{URL}{pk}/", {"state": "published"}, format="json")
    assert published.json()["state"] == "published"
    assert engineer.patch(f"{URL}{pk}/", {"cause": "x"}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "symptom": "s", "steps": "x"}, "title"),
        ({"title": "a\x00", "symptom": "s", "steps": "x"}, "title"),
        ({"title": "t", "symptom": "s", "steps": "x" * 10001}, "steps"),
        ({"title": "t", "symptom": "s", "steps": "x", "state": "gone"}, "state"),
        ({"title": "t", "symptom": "s", "steps": "x", "source_ticket": "9" * 19}, "source_ticket"),
        ({"title": "t", "symptom": "s", "steps": "x", "is_public": "maybe"}, "is_public"),
    ],
)
def test_bad_input_is_a_400_by_field(api, world, body, field):
    response = api(world["agent"]).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_from_ticket(api, world, resolved):
    client = api(world["engineer"])
    response = client.post(f"{URL}from-ticket/", {"ticket": resolved.number}, format="json")
    assert response.status_code == 201
    row = response.json()
    assert row["source_ticket"] == resolved.number and row["title"] == resolved.summary
    assert row["state"] == "draft" and row["step_list"][0] == "重启 4G 模块"
    open_ticket = gateway_fault(world, summary="未解决")
    for body in ({"ticket": open_ticket.number}, {"ticket": "nope"}, {"ticket": "\x00"}, {}):
        refused = client.post(f"{URL}from-ticket/", body, format="json")
        assert refused.status_code == 400 and "ticket" in refused.json()
    assert (
        api(world["customer_user"])
        .post(f"{URL}from-ticket/", {"ticket": resolved.number}, format="json")
        .status_code
        == 403
    )
