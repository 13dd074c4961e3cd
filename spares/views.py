"""The pages of the spares: the branches' stock (managers receive parts there), and the
forms of the ticket page's "Parts and substitute device" panel (spares/templatetags)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import Branch
from accounts.roles import STAFF_ROLES
from core.errors import TransitionForbidden
from core.inputs import as_id, is_clean_text
from core.web import role_required
from spares import permissions as may
from spares import selectors
from spares.forms import PartSettleForm, PartTakeForm, StockReceiveForm, SubstituteForm
from spares.models import PartUse, Substitute
from spares.services import (
    part_settle,
    part_take,
    stock_receive,
    substitute_install,
    substitute_return,
)
from tickets.models import Ticket
from tickets.submissions import form_post_once
from tickets.views.engineer import form_submit, visit_post

STOCK_PAGE = 50


@role_required(*STAFF_ROLES)
def stock(request):
    """The branches' shelves: what is there, where, and what runs low."""
    form = None
    if request.method == "POST":
        form = StockReceiveForm(request.POST)
        # Once per form token: a double click puts the parts on the shelf once.
        done = form_post_once(
            request, form, lambda data: (_receive(request, data), request.get_full_path())
        )
        if done is not None:
            return done
    branch = request.GET.get("branch", "")
    query = request.GET.get("q", "")[:100]
    query = query if is_clean_text(query) else ""
    found = selectors.stock_visible(request.user, branch_id=as_id(branch), query=query).order_by(
        "branch__name", "name", "model", "serial_number", "pk"
    )
    page = Paginator(found, STOCK_PAGE).get_page(request.GET.get("page"))
    low = selectors.low_stock_keys(
        found.model.objects.filter(pk__in=[item.pk for item in page.object_list])
    )
    rows = [(item, (item.branch_id, item.name, item.model) in low) for item in page.object_list]
    can_receive = may.manage_stock(request.user)
    context = {
        "rows": rows,
        "page": page,
        "branches": Branch.objects.order_by("name"),
        "branch": branch,
        "q": query,
        "can_receive": can_receive,
        "form": form
        or StockReceiveForm(initial={"branch": getattr(request.user, "branch_id", None)}),
    }
    return render(request, "spares/stock.html", context, status=400 if form else 200)


def _receive(request, data: dict) -> str:
    item = stock_receive(user=request.user, **data)
    return _("Received: %(part)s, %(quantity)d in stock.") % {
        "part": item,
        "quantity": item.quantity,
    }


def _own(queryset, ticket: Ticket, value):
    """The ticket's own row by the id posted, or None."""
    return queryset.filter(ticket=ticket, pk=as_id(value)).first() if as_id(value) else None


@visit_post
def take(request, ticket: Ticket) -> str:
    form = PartTakeForm(request.POST, stock=selectors.stock_for_ticket(ticket, request.user))
    use = form_submit(
        "part_take_form",
        form,
        lambda data: part_take(
            ticket=ticket,
            user=request.user,
            stock_item=data["stock_item"],
            quantity=data["quantity"],
        ),
    )
    return _("Taken: %(quantity)d × %(part)s.") % {"quantity": use.quantity, "part": use.stock_item}


@visit_post
def settle(request, ticket: Ticket) -> str:
    use = _own(PartUse.objects, ticket, request.POST.get("use", ""))
    if use is None:
        raise TransitionForbidden(_("No such part on this ticket."))
    form = PartSettleForm(request.POST, prefix=f"use{use.pk}")
    use = form_submit(
        f"settle_form_{use.pk}",
        form,
        lambda data: part_settle(use=use, user=request.user, **data),
    )
    return _("Saved: %(used)d used, the rest back in stock.") % {"used": use.used_quantity}


@visit_post
def install(request, ticket: Ticket) -> str:
    form = SubstituteForm(request.POST)
    substitute = form_submit(
        "substitute_form",
        form,
        lambda data: substitute_install(ticket=ticket, user=request.user, **data),
    )
    return _("Substitute device installed: %(device)s.") % {"device": substitute}


@visit_post
def take_back(request, ticket: Ticket) -> str:
    substitute = _own(Substitute.objects, ticket, request.POST.get("substitute", ""))
    if substitute is None:
        raise TransitionForbidden(_("No such substitute device on this ticket."))
    substitute_return(substitute=substitute, user=request.user)
    return _("Substitute device taken back.")
