"""The deduction ledgers: the contracts with penalty terms and what each has cost, for the
management group; the same page, read-only, for the customer's own contracts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import STAFF_ROLES, Role
from core.web import role_required, stored_file_response
from deductions import permissions as may
from deductions import selectors
from deductions.forms import ThirdPartyRepairForm
from deductions.models import PenaltyPlan, ThirdPartyRepair
from deductions.services import third_party_repair_record
from tickets.submissions import form_post_once

LEDGER_ROLES = (*STAFF_ROLES, Role.CUSTOMER)


@role_required(*LEDGER_ROLES)
def home(request):
    contracts = selectors.ledger_contracts(request.user).select_related("customer")
    rows = selectors.ledgers_totals(list(contracts.order_by("number")))
    return render(request, "deductions/home.html", {"rows": rows})


@role_required(*LEDGER_ROLES)
def ledger(request, pk: int):
    contract = selectors.readable_contracts(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    form = None
    if request.method == "POST":
        if not may.record_third_party(request.user):
            raise PermissionDenied
        form = ThirdPartyRepairForm(request.POST, request.FILES)

        def record(data):
            ticket = selectors.repair_ticket(request.user, data["ticket"], contract=contract)
            if ticket is None:
                raise ValidationError({"ticket": _("No such ticket on this contract.")})
            fields = {key: value for key, value in data.items() if key != "ticket"}
            third_party_repair_record(ticket=ticket, user=request.user, **fields)
            message = _("Third-party repair recorded and deducted.")
            return message, reverse("deductions:ledger", args=[contract.pk])

        # Once per form token: a double click deducts the cost once.
        done = form_post_once(request, form, record)
        if done is not None:
            return done
    plan = PenaltyPlan.objects.filter(contract=contract).prefetch_related("rules").first()
    context = {
        "contract": contract,
        "plan": plan,
        "lines": selectors.ledger_lines(contract),
        "totals": selectors.ledger_totals(contract),
        "can_record": may.record_third_party(request.user),
        "form": form or ThirdPartyRepairForm(),
    }
    return render(request, "deductions/ledger.html", context, status=400 if form else 200)


@role_required(*LEDGER_ROLES)
def invoice(request, pk: int):
    """A third-party repair's invoice, to those who may read its contract's ledger."""
    readable = selectors.readable_contracts(request.user).values("pk")
    repair = ThirdPartyRepair.objects.filter(pk=pk, deduction__contract__in=readable).first()
    if repair is None or not repair.invoice:
        raise Http404
    return stored_file_response(repair.invoice, filename=repair.invoice.name.rsplit("/", 1)[-1])
