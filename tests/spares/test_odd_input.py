"""Odd input an attacker or a fuzzer sends: ids that are digits to `str.isdigit` but not to
the database ("²"), NUL characters in filters. A clear answer, never a 500."""

import pytest

from core.inputs import as_id
from tests.spares.conftest import hardware_fault

pytestmark = pytest.mark.django_db


def test_only_ascii_digits_within_a_bigint_are_ids():
    assert [as_id(v) for v in ("12", " 7 ", 3, "007")] == [12, 7, 3, 7]
    assert {as_id(v) for v in ("²", "٣", "1e3", "-1", "0", "", None, "9" * 30, 1.5)} == {None}


def test_pages_and_api_answer_odd_ids_and_nul_without_a_server_error(shop, client, api):
    ticket = hardware_fault(shop)
    client.force_login(shop["engineer"])
    assert client.get("/spares/?branch=²").status_code == 200
    assert client.get("/spares/?q=a%00b").status_code == 200
    response = client.post(f"/spares/tickets/{ticket.number}/settle/", {"use": "²"})
    assert response.status_code == 302  # refused with a message, nothing changed
    engineer = api(shop["engineer"])
    assert engineer.get("/api/spares/stock/?branch=²").status_code == 200
    assert engineer.get("/api/spares/parts/?ticket=a%00b").status_code == 400
    manager = api(shop["manager"])
    assert manager.get("/api/deductions/ledger/?contract=a%00b").status_code == 400
    assert client.get("/desk/?customer=²").status_code == 200
