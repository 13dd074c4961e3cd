"""The deduction ledger (seed 004, 7.2.1): each recorded breach's penalty by the contract's
terms up to its cap, once however often the run goes; third-party repairs of late tickets
in full; the ledger where managers, the customer, the API and the monthly report read it."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from core.errors import TransitionConflict, TransitionForbidden
from deductions.models import Deduction
from deductions.selectors import ledger_totals
from deductions.services import penalties_record, third_party_repair_record
from reports.documents.sla_month import sla_month_context, sla_month_csv
from tests.tickets.conftest import shanghai
from tickets.escalation import sweep_due_steps
from tickets.services.creation import ticket_create

pytestmark = pytest.mark.django_db

REPORTED = shanghai(2026, 11, 24, 9, 0)


def _ticket(world, at=REPORTED):
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="Pumps not reporting",
        channel="phone",
        reported_at=at,
        now=at,
    )


def _late(world, at=REPORTED):
    """A ticket whose response (30 min), visit (4 h) and resolution (24 h) all ran late."""
    ticket = _ticket(world, at)
    sweep_due_steps(now=at + timedelta(hours=25))
    ticket.refresh_from_db()
    return ticket


def _lines(**filters) -> list[tuple]:
    return sorted(
        Deduction.objects.filter(**filters).values_list("clock__kind", "amount", "uncapped")
    )


def test_each_breach_costs_what_the_terms_say_once_and_up_to_the_cap(terms):
    first = _late(terms)
    assert penalties_record(now=REPORTED + timedelta(hours=26)) == 3
    assert _lines(ticket=first) == [
        ("onsite", Decimal("1000.00"), Decimal("1000.00")),
        ("resolution", Decimal("1000.00"), Decimal("1000.00")),
        ("response", Decimal("500.00"), Decimal("500.00")),
    ]
    # Run again, from beat or the command: nothing twice.
    assert penalties_record(now=REPORTED + timedelta(hours=27)) == 0
    call_command("deductions_record", stdout=io.StringIO())
    assert Deduction.objects.count() == 3
    # The next ticket's breaches reach the cap of 3,000: 500 are left for its first one.
    second = _late(terms, REPORTED + timedelta(days=1))
    penalties_record(now=REPORTED + timedelta(days=2, hours=2))
    assert _lines(ticket=second) == [
        ("onsite", Decimal("0.00"), Decimal("1000.00")),
        ("resolution", Decimal("0.00"), Decimal("1000.00")),
        ("response", Decimal("500.00"), Decimal("500.00")),
    ]
    totals = ledger_totals(terms["contract"])
    assert (totals.penalties, totals.cap_left) == (Decimal("3000.00"), Decimal("0.00"))


def test_the_cap_cuts_the_line_that_reaches_it(terms):
    terms["plan"].cap = Decimal("1200")
    terms["plan"].save()
    _late(terms)
    penalties_record(now=REPORTED + timedelta(hours=26))
    # Oldest breach first: response 500, on site 1,000 cut to 700, resolution nothing.
    assert _lines() == [
        ("onsite", Decimal("700.00"), Decimal("1000.00")),
        ("resolution", Decimal("0.00"), Decimal("1000.00")),
        ("response", Decimal("500.00"), Decimal("500.00")),
    ]
    assert ledger_totals(terms["contract"]).penalties == Decimal("1200.00")


def test_no_terms_no_penalty_and_no_breach_no_line(world, terms):
    terms["plan"].rules.filter(clock_kind="onsite").delete()
    on_time = _ticket(terms)
    _late(terms, REPORTED + timedelta(minutes=1))
    penalties_record(now=REPORTED + timedelta(hours=26))
    assert not Deduction.objects.filter(ticket=on_time, clock__kind="onsite").exists()
    assert {kind for kind, *_rest in _lines()} == {"response", "resolution"}


def test_a_third_party_repair_of_a_late_ticket_is_deducted_in_full(terms, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    late = _late(terms)
    invoice = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf")
    repair = third_party_repair_record(
        ticket=late,
        user=terms["manager"],
        company="City Electronics",
        cost="1234.5",
        repaired_on=timezone.localdate(),
        invoice=invoice,
    )
    line = Deduction.objects.get(repair=repair)
    assert (line.kind, line.amount, line.ticket) == ("third_party", Decimal("1234.50"), late)
    assert late.events.filter(data__action="third_party_repair").exists()
    assert ledger_totals(terms["contract"]).third_party == Decimal("1234.50")


def test_a_third_party_repair_is_refused_when_not_late_not_a_manager_or_badly_typed(terms):
    on_time = _ticket(terms, timezone.now() - timedelta(minutes=5))
    with pytest.raises(TransitionConflict):
        third_party_repair_record(
            ticket=on_time, user=terms["manager"], company="X", cost="1", repaired_on=None
        )
    late = _late(terms)
    with pytest.raises(TransitionForbidden):
        third_party_repair_record(
            ticket=late, user=terms["agent"], company="X", cost="1", repaired_on="2026-11-25"
        )
    with pytest.raises(ValidationError) as refused:
        third_party_repair_record(
            ticket=late, user=terms["manager"], company=" ", cost="-3", repaired_on="2026-11-01"
        )
    assert set(refused.value.message_dict) == {"company", "cost", "repaired_on"}
    assert not Deduction.objects.filter(kind="third_party").exists()


def test_the_ledger_page_for_managers_and_for_the_customer_alone(terms, client):
    _late(terms)
    penalties_record(now=REPORTED + timedelta(hours=26))
    number, pk = terms["contract"].number, terms["contract"].pk
    client.force_login(terms["manager"])
    page = client.get(f"/deductions/{pk}/").content.decode()
    assert 'data-testid="total">2500.00' in page and 'data-testid="third-party"' in page
    assert number in client.get("/deductions/").content.decode()
    client.force_login(terms["customer_user"])
    page = client.get(f"/deductions/{pk}/").content.decode()
    assert "2500.00" in page and 'data-testid="third-party"' not in page
    client.force_login(terms["other_customer_user"])
    assert client.get(f"/deductions/{pk}/").status_code == 404
    assert number not in client.get("/deductions/").content.decode()
    client.force_login(terms["engineer"])
    assert client.get(f"/deductions/{pk}/").status_code == 404


def test_the_form_keeps_what_was_typed_when_refused(terms, client):
    late = _late(terms)
    client.force_login(terms["manager"])
    response = client.post(
        f"/deductions/{terms['contract'].pk}/",
        {"ticket": late.number, "company": "City Electronics", "cost": "abc", "repaired_on": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="cost"' in html and 'value="City Electronics"' in html
    response = client.post(
        f"/deductions/{terms['contract'].pk}/",
        {
            "ticket": late.number,
            "company": "City Electronics",
            "cost": "800",
            "repaired_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Deduction.objects.get(kind="third_party").amount == Decimal("800.00")


def test_the_api_reads_the_ledger_in_scope_and_records_repairs(terms, api):
    late = _late(terms)
    penalties_record(now=REPORTED + timedelta(hours=26))
    manager = api(terms["manager"])
    created = manager.post(
        "/api/deductions/third-party-repairs/",
        {"ticket": late.number, "company": "City Electronics", "cost": "99.90",
         "repaired_on": timezone.localdate().isoformat()},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    bad = manager.post(
        "/api/deductions/third-party-repairs/",
        {"ticket": "nope", "company": "", "cost": "x", "repaired_on": "soon"},
        format="json",
    )
    assert bad.status_code == 400 and {"cost", "repaired_on"} <= set(bad.json())
    mine = api(terms["customer_user"]).get("/api/deductions/ledger/").json()["results"]
    assert {row["kind"] for row in mine} == {"penalty", "third_party"} and len(mine) == 4
    assert api(terms["other_customer_user"]).get("/api/deductions/ledger/").json()["results"] == []
    refused = api(terms["agent"]).post(
        "/api/deductions/third-party-repairs/",
        {"ticket": late.number, "company": "X", "cost": "1", "repaired_on": "2026-11-25"},
        format="json",
    )
    assert refused.status_code in (400, 403)
    assert Deduction.objects.filter(kind="third_party").count() == 1


def test_the_monthly_report_lists_the_months_deductions(terms):
    late = _late(terms)
    penalties_record(now=REPORTED + timedelta(hours=26))
    context = sla_month_context(year=2026, month=11, contract=terms["contract"])
    assert context["deducted"].total == Decimal("2500.00")
    assert len(context["deductions"]) == 3
    rows = list(csv.reader(io.StringIO(sla_month_csv(year=2026, month=11).decode("utf-8-sig"))))
    column = rows[0].index(rows[0][-1])
    line = next(row for row in rows[1:] if row[0] == late.number)
    assert Decimal(line[column]) == Decimal("2500.00")


def test_a_share_waits_for_the_value_and_terms_charge_from_their_start(terms):
    plan = terms["plan"]
    plan.contract_value = None
    plan.save()
    _late(terms)
    penalties_record(now=REPORTED + timedelta(hours=26))
    assert {kind for kind, *_rest in _lines()} == {"response", "onsite"}
    plan.contract_value = Decimal("2000000")
    plan.save()
    penalties_record(now=REPORTED + timedelta(hours=27))
    # 2,000 due, cut to the 1,500 the cap of 3,000 leaves.
    assert ("resolution", Decimal("1500.00"), Decimal("2000.00")) in _lines()
    # Terms that start after a breach do not charge it.
    plan.applies_from = REPORTED + timedelta(days=2, minutes=1)
    plan.save()
    _late(terms, REPORTED + timedelta(days=1))
    assert penalties_record(now=REPORTED + timedelta(days=3)) == 0
