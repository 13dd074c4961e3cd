"""The OpenAPI schema says what the API does: what may be null, which lists are
plain lists, that ids are whole numbers, and which errors each call can give."""

from datetime import timedelta

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from tickets.api.transitions import API_ACTIONS
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    return yaml.safe_load(out.read_text())


def _ticket(world):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P2",
        summary="屏幕不亮",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=5),
    )


def test_fields_that_can_be_null_are_nullable(schema):
    components = schema["components"]["schemas"]
    for field in ["warranty_start", "warranty_end"]:
        assert components["Contract"]["properties"][field]["nullable"] is True
    for component in ["Ticket", "TicketDetail"]:
        assert components[component]["properties"]["engineer"]["nullable"] is True


def test_unassigned_ticket_has_null_engineer(world, api):
    ticket = _ticket(world)
    data = api(world["agent"]).get(f"/api/tickets/{ticket.pk}/").json()
    assert data["engineer"] is None


@pytest.mark.parametrize(
    ("action", "methods"),
    [("events", ["get"]), ("comments", ["get", "post"]), ("attachments", ["get", "post"])],
)
def test_ticket_history_lists_are_plain_lists(schema, action, methods):
    path = schema["paths"][f"/api/tickets/{{id}}/{action}/"]
    ok = path["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["type"] == "array"
    # No page or filter parameters: these lists are neither paginated nor filtered.
    assert [p["name"] for p in path["get"]["parameters"]] == ["id"]
    for method in methods:
        assert "404" in path[method]["responses"]
    if "post" in methods:
        assert {"201", "400"} <= set(path["post"]["responses"])


def test_ticket_events_answer_a_plain_list(world, api):
    ticket = _ticket(world)
    client = api(world["agent"])
    for action in ["events", "comments", "attachments"]:
        response = client.get(f"/api/tickets/{ticket.pk}/{action}/")
        assert response.status_code == 200
        assert isinstance(response.json(), list), action


def test_id_filters_are_integers(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/tickets/"]["get"]["parameters"]}
    for name in ["customer", "contract", "branch", "engineer"]:
        assert parameters[name]["schema"] == {"type": "integer"}


@pytest.mark.parametrize("value", ["1.5", "x", "1e3", "NaN"])
def test_non_integer_id_filter_is_400(world, api, value):
    response = api(world["agent"]).get("/api/tickets/", {"customer": value})
    assert response.status_code == 400
    assert "customer" in response.json()


def test_integer_id_filter_still_filters(world, api):
    ticket = _ticket(world)
    client = api(world["agent"])
    mine = client.get("/api/tickets/", {"customer": world["customer"].pk}).json()
    assert [t["id"] for t in mine["results"]] == [ticket.pk]
    other = world["other_contract"].customer.pk
    assert client.get("/api/tickets/", {"customer": other}).json()["results"] == []


def test_error_responses_are_documented(schema):
    paths = schema["paths"]
    for spec in API_ACTIONS:
        responses = paths[f"/api/tickets/{{id}}/{spec.name}/"]["post"]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(responses), spec.name
        conflict = responses["409"]["content"]["application/json"]["schema"]
        assert conflict == {"$ref": "#/components/schemas/Error"}
    assert {"201", "400", "403"} <= set(paths["/api/tickets/"]["post"]["responses"])
    assert "400" in paths["/api/tickets/"]["get"]["responses"]
    assert "404" in paths["/api/tickets/{id}/"]["get"]["responses"]
    assert "404" in paths["/api/contracts/{id}/"]["get"]["responses"]
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["required"] == ["detail"]


def test_auth_endpoints_are_documented(schema):
    paths = schema["paths"]
    login = paths["/api/auth/token/"]["post"]
    assert login["security"] == [{}]
    assert {"200", "400", "429"} <= set(login["responses"])
    answer = login["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][answer.rsplit("/", 1)[1]]["properties"]) == {
        "token",
        "expires_at",
    }
    for path in ["/api/auth/logout/", "/api/auth/logout-all/"]:
        logout = paths[path]["post"]
        assert logout["security"] == [{"tokenAuth": []}], path
        assert {"204", "401"} <= set(logout["responses"]), path
    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert token["in"] == "header" and token["name"] == "Authorization"
    assert '"Token"' in token["description"]
