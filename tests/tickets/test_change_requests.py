"""A change request's sign-offs before work starts (seed 000, 1.4.2): the customer's project
management signs, our project manager evaluates, the customer accepts; each step on the
ticket's history, in the portal, on the staff page and in the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import TransitionConflict, TransitionForbidden
from tests.factories import ContactFactory, UserFactory
from tests.tickets.conftest import shanghai
from tickets.change_requests import change_accept, change_evaluate, change_sign, signers_of
from tickets.models import ChangeApproval, Notification, State, Ticket, TicketEvent
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_transition

pytestmark = pytest.mark.django_db

EVALUATION = {
    "scope": "调度报表新增水质指标页",
    "effort": "6 人日",
    "schedule": "12 月第二周，夜间停机 1 小时",
    "architecture": "新增一个数据库视图，不改变现有接口",
}


@pytest.fixture
def change(world):
    return ticket_create(
        created_by=world["agent"],
        kind="change_request",
        priority="P3",
        summary="报表新增水质指标",
        channel="phone",
        customer=world["customer"],
    )


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_three_sign_offs_in_order_then_work_may_start(world, change):
    customer, manager = world["customer_user"], world["manager"]
    assert Notification.objects.filter(user=customer, key=f"change:{change.pk}:submitted").exists()
    with pytest.raises(TransitionConflict):  # no evaluation before the customer signs
        change_evaluate(ticket=change, user=manager, **EVALUATION)
    change_sign(ticket=change, user=customer, approve=True)
    assert Notification.objects.filter(user=manager, key=f"change:{change.pk}:signed").exists()
    with pytest.raises(TransitionConflict):  # signed once
        change_sign(ticket=change, user=customer, approve=True)
    with pytest.raises(ValidationError) as missing:
        change_evaluate(ticket=change, user=manager, **{**EVALUATION, "architecture": " "})
    assert "architecture" in missing.value.message_dict
    change_evaluate(ticket=change, user=manager, **EVALUATION)
    told = Notification.objects.get(user=customer, key=f"change:{change.pk}:evaluated")
    assert "6 人日" in told.body
    assert Ticket.objects.get(pk=change.pk).state == State.SUBMITTED
    change_accept(ticket=change, user=customer, accept=True)
    change.refresh_from_db()
    assert change.state == State.APPROVED
    approval = ChangeApproval.objects.get(ticket=change)
    assert (approval.stage, approval.signed_by, approval.evaluated_by, approval.accepted_by) == (
        "accepted",
        customer,
        manager,
        customer,
    )
    notes = list(
        change.events.filter(kind__in=["note", "transition"]).values_list("note", flat=True)
    )
    assert any("项目管理" in n or "project management" in n for n in notes)


def test_a_refused_evaluation_goes_back_to_the_project_manager(world, change):
    customer, manager = world["customer_user"], world["manager"]
    change_sign(ticket=change, user=customer, approve=True)
    change_evaluate(ticket=change, user=manager, **EVALUATION)
    with pytest.raises(ValidationError):  # a refusal says why
        change_accept(ticket=change, user=customer, accept=False, reason="  ")
    change_accept(ticket=change, user=customer, accept=False, reason="工作量估计过高")
    approval = ChangeApproval.objects.get(ticket=change)
    assert approval.stage == "evaluation" and approval.acceptance_reason == "工作量估计过高"
    change_evaluate(ticket=change, user=manager, **{**EVALUATION, "effort": "4 人日"})
    assert ChangeApproval.objects.get(ticket=change).stage == "acceptance"
    assert (
        Notification.objects.filter(
            user=customer, key__startswith=f"change:{change.pk}:evaluated"
        ).count()
        == 2
    )
    change_accept(ticket=change, user=customer, accept=True)
    assert Ticket.objects.get(pk=change.pk).state == State.APPROVED


def test_the_customer_refusing_to_sign_rejects_the_request(world, change):
    change_sign(ticket=change, user=world["customer_user"], approve=False, reason="预算不足")
    change.refresh_from_db()
    assert change.state == State.REJECTED
    assert "预算不足" in change.events.filter(to_state="rejected").get().note


def test_only_the_customers_signers_sign_and_only_managers_evaluate(world, change):
    for user in (world["agent"], world["engineer"], world["other_customer_user"]):
        with pytest.raises(TransitionForbidden):
            change_sign(ticket=change, user=user, approve=True)
    # Once a contact is ticked as the project management group, only the ticked sign.
    signer = ContactFactory(customer=world["customer"], signs_changes=True)
    signer.user = UserFactory(username="pm", role="customer")
    signer.save()
    assert signers_of(change) == [signer.user]
    with pytest.raises(TransitionForbidden):
        change_sign(ticket=change, user=world["customer_user"], approve=True)
    change_sign(ticket=change, user=signer.user, approve=True)
    for user in (world["agent"], world["engineer"], world["customer_user"]):
        with pytest.raises(TransitionForbidden):
            change_evaluate(ticket=change, user=user, **EVALUATION)


def test_the_portal_and_the_staff_page_walk_through_it(world, change, english, client):
    number = change.number
    english.force_login(world["customer_user"])
    page = english.get(f"/portal/tickets/{number}/").content.decode()
    assert (
        "Waiting for the customer&#x27;s signature" in page
        and 'data-action="change-approve"' in page
    )
    refused = english.post(f"/portal/tickets/{number}/change/sign/", {"decision": "refuse"})
    assert refused.status_code == 302
    assert Ticket.objects.get(pk=change.pk).state == State.SUBMITTED  # no reason: refused
    english.post(f"/portal/tickets/{number}/change/sign/", {"decision": "approve"})
    assert ChangeApproval.objects.get(ticket=change).stage == "evaluation"

    english.force_login(world["manager"])
    page = english.get(f"/desk/tickets/{number}/").content.decode()
    assert 'data-testid="change-evaluate"' in page
    bad = english.post(f"/desk/tickets/{number}/change/", {**EVALUATION, "effort": ""})
    assert bad.status_code == 400 and EVALUATION["scope"] in bad.content.decode()
    english.post(f"/desk/tickets/{number}/change/", EVALUATION)
    assert ChangeApproval.objects.get(ticket=change).stage == "acceptance"
    english.force_login(world["agent"])
    assert (
        'data-testid="change-evaluate"'
        not in english.get(f"/desk/tickets/{number}/").content.decode()
    )

    english.force_login(world["customer_user"])
    page = english.get(f"/portal/tickets/{number}/").content.decode()
    assert "6 人日" in page and "Accept the evaluation" in page
    english.post(f"/portal/tickets/{number}/change/accept/", {"decision": "approve"})
    assert Ticket.objects.get(pk=change.pk).state == State.APPROVED


def test_the_api_walks_through_it_and_hides_it_from_others(world, change, api):
    url = f"/api/tickets/{change.pk}/change-approval/"
    customer, manager = api(world["customer_user"]), api(world["manager"])
    assert customer.get(url).json()["stage"] == "customer_sign"
    assert api(world["other_customer_user"]).get(url).status_code == 404
    assert manager.post(url + "evaluate/", EVALUATION).status_code == 409
    assert customer.post(url + "sign/", {"approve": False}).status_code == 400
    assert customer.post(url + "sign/", {"approve": True}).json()["stage"] == "evaluation"
    assert customer.post(url + "evaluate/", EVALUATION).status_code == 403
    assert manager.post(url + "evaluate/", {**EVALUATION, "scope": "x\x00"}).status_code == 400
    answer = manager.post(url + "evaluate/", EVALUATION).json()
    assert (answer["stage"], answer["effort"]) == ("acceptance", "6 人日")
    assert customer.post(url + "accept/", {"approve": True}).json()["stage"] == "accepted"
    assert customer.get(f"/api/tickets/{change.pk}/").json()["state"] == "approved"
    fault = ticket_create(
        created_by=world["agent"],
        kind="fault",
        priority="P3",
        summary="x",
        channel="phone",
        customer=world["customer"],
    )
    assert manager.get(f"/api/tickets/{fault.pk}/change-approval/").status_code == 404
    assert TicketEvent.objects.filter(
        ticket=change, data__change_request__step="evaluated"
    ).exists()


def test_our_response_clock_waits_for_the_signature_and_stops_at_the_evaluation(world):
    reported = shanghai(2026, 11, 2, 10, 0)
    change = ticket_create(
        created_by=world["agent"],
        kind="change_request",
        priority="P3",
        summary="x",
        channel="phone",
        customer=world["customer"],
        reported_at=reported,
        now=reported,
    )
    response = change.clocks.get(kind="response")
    assert (response.status, response.target_at) == ("paused", None)
    # Signed four weeks later: those weeks were the customer's, not ours.
    change_sign(ticket=change, user=world["customer_user"], approve=True)
    response.refresh_from_db()
    assert response.status == "running"
    assert response.target_at > timezone.now() + timedelta(minutes=25)
    change_evaluate(ticket=change, user=world["manager"], **EVALUATION)
    response.refresh_from_db()
    assert response.status == "met"


def test_a_manager_records_a_signature_given_on_paper(world, change, english):
    english.force_login(world["manager"])
    page = english.get(f"/desk/tickets/{change.number}/").content.decode()
    assert 'data-testid="change-paper"' in page
    english.post(f"/desk/tickets/{change.number}/change/sign/paper/", {"decision": "approve"})
    approval = ChangeApproval.objects.get(ticket=change)
    assert (approval.stage, approval.signed_by) == ("evaluation", world["manager"])
    note = change.events.filter(data__change_request__step="signed").get()
    assert note.message["title"]["msgid"].startswith("The customer's signature on paper")
    assert english.post(f"/desk/tickets/{change.number}/change/nope/paper/", {}).status_code == 404


def test_a_manager_rejecting_while_the_clock_waits_for_the_signature_cancels_it(world, change):
    ticket_transition(ticket_id=change.pk, name="reject", user=world["manager"], note="重复申请")
    response = change.clocks.get(kind="response")
    assert response.status == "cancelled"
    assert not response.pauses.filter(ended_at__isnull=True).exists()
