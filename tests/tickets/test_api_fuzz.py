"""Schemathesis against the running app: every API operation, as a hotline agent
and as a customer, with generated (valid and invalid) input.

The build fails on any 5xx and on any answer the OpenAPI schema does not
describe (status code, content type or body). Examples are bounded
(API_FUZZ_EXAMPLES, default 12 per operation and actor) and derandomized on CI
(tests/conftest.py), so a red build reproduces.

Path ids are drawn from the objects the world really holds half of the time, so
the fuzzer reaches the transitions and the lists behind them instead of
stopping at 404.
"""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tickets.services.creation import ticket_create

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES
)
# The token endpoint is exercised by tests/accounts (throttle and lockout); fuzzing it
# would lock the fuzzing users out. Logout would revoke the fuzzer's own token.
schema = schema.exclude(path_regex=r"^/api/auth/")

# Ids of the objects in this test's world, read by the hook below.
_known_ids: list[int] = []


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters or "id" not in path_parameters or not _known_ids:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters["id"], *_known_ids]).map(
        lambda pk: {**path_parameters, "id": pk}
    )


@pytest.fixture
def fuzz_world(world):
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P2",
        summary="屏幕不亮",
        channel="phone",
    )
    _known_ids[:] = sorted({ticket.pk, world["contract"].pk, world["other_contract"].pk})
    yield world
    _known_ids.clear()


def _token_for(user) -> str:
    user.set_password("fuzz-pass-2026")
    user.save()
    client = APIClient()
    response = client.post(
        "/api/auth/token/",
        {"username": user.username, "password": "fuzz-pass-2026"},
        format="json",
        REMOTE_ADDR=f"10.9.{user.pk % 250}.1",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture(params=["agent", "customer_user"])
def actor_headers(request, fuzz_world):
    return {"Authorization": f"Token {_token_for(fuzz_world[request.param])}"}


@pytest.fixture
def app(actor_headers):
    """The WSGI app, keeping the test's database connection (and transaction) across
    requests, as Django's test client does for the length of one request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_its_schema_says(case, app, actor_headers):
    case.call_and_validate(app=app, headers=actor_headers, checks=CHECKS)
