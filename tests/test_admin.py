from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract, ServiceTerms
from servicedesk.demo import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo_load(today=timezone.localdate())


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


def _registered_models():
    return [
        model
        for model in admin.site._registry
        if model._meta.app_label in {"accounts", "contracts"}
    ]


@pytest.mark.parametrize("model", _registered_models(), ids=lambda m: m._meta.label)
def test_every_admin_page_loads(admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "东江"}).status_code == 200
    assert (
        admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
        == 200
    )
    obj = model.objects.first()
    assert obj is not None, f"the demo has no {opts.verbose_name}"
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


def test_contract_list_shows_the_current_phase_of_each_contract(admin_client):
    page = admin_client.get(reverse("admin:contracts_contract_changelist")).content.decode()
    for label in ["试运行", "质保期", "质保期满后", "已过期"]:
        assert label in page
    trial_only = admin_client.get(
        reverse("admin:contracts_contract_changelist"), {"phase": "trial"}
    ).content.decode()
    assert "BC-2026-003" in trial_only
    assert "DJ-2024-017" not in trial_only


def _contract_post(**overrides):
    data = {
        "number": "NEW-001",
        "title": "New contract",
        "customer": "",
        "template": "",
        "signed_on": "2025-01-10",
        "final_acceptance_on": "2025-06-15",
        "warranty_months": "36",
        "after_warranty": "lifetime",
        "maintenance_ends_on": "",
        "substitute_device_hours": "",
        "complaint_answer_hours": "24",
        "trial_small_fix_hours": "",
        "trial_large_fix_hours": "",
        "branch": "",
        "service_manager": "",
        "terms-TOTAL_FORMS": "0",
        "terms-INITIAL_FORMS": "0",
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_bad_contract_input_shows_field_errors_and_saves_nothing(admin_client):
    from contracts.models import Customer, Site

    customer = Customer.objects.get(name="东江水务集团有限公司")
    foreign_site = Site.objects.exclude(customer=customer).first()
    before = Contract.objects.count()
    response = admin_client.post(
        reverse("admin:contracts_contract_add"),
        _contract_post(
            customer=str(customer.pk),
            number="DJ-2024-017",  # taken
            signed_on="2025-13-40",
            warranty_months="-3",
            after_warranty="agreement",
            sites=[str(foreign_site.pk)],
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"number", "signed_on", "warranty_months", "sites"} <= set(errors)
    assert Contract.objects.count() == before


def test_acceptance_before_signing_and_agreement_without_end_are_refused(admin_client):
    from contracts.models import Customer

    customer = Customer.objects.get(name="东江水务集团有限公司")
    response = admin_client.post(
        reverse("admin:contracts_contract_add"),
        _contract_post(
            customer=str(customer.pk),
            signed_on="2025-06-01",
            final_acceptance_on="2025-05-01",
            after_warranty="agreement",
        ),
    )
    errors = response.context["adminform"].form.errors
    assert {"final_acceptance_on", "maintenance_ends_on"} <= set(errors)
    assert not Contract.objects.filter(number="NEW-001").exists()


def test_new_contract_from_a_template_gets_its_terms(admin_client):
    from contracts.models import ContractTemplate, Customer

    customer = Customer.objects.get(name="西岭热电有限公司")
    template = ContractTemplate.objects.get(code="defect-2y")
    response = admin_client.post(
        reverse("admin:contracts_contract_add"),
        _contract_post(customer=str(customer.pk), template=str(template.pk), warranty_months="24"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get(number="NEW-001")
    assert contract.terms.count() == template.terms.count()
    warranty_p1 = ServiceTerms.objects.get(contract=contract, phase="warranty", priority="P1")
    assert warranty_p1.onsite_minutes == 180
    assert contract.warranty_end == date(2027, 6, 15)


def test_escalation_steps_show_how_late_each_was_recorded(admin_client):
    from tickets.models import EscalationStep

    step = EscalationStep.objects.order_by("pk").first()
    assert step is not None  # the demo has escalated tickets
    page = admin_client.get(reverse("admin:tickets_escalationstep_changelist"))
    assert page.status_code == 200
    assert "column-lateness_seconds" in page.content.decode()
    by_lateness = admin_client.get(reverse("admin:tickets_escalationstep_changelist"), {"o": "7"})
    assert by_lateness.status_code == 200
