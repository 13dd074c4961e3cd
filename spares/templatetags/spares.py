"""The spares' panels on the ticket pages, without the ticket views knowing about spares:
`{% spares_panel %}` on the staff page (parts and the substitute device, with their
forms), `{% spares_for_customer ticket %}` on the portal (what went into their device)."""

from django import template

from spares import permissions as may
from spares import selectors
from spares.forms import PartSettleForm, PartTakeForm, SubstituteForm
from spares.models import PartUse
from tickets.models import SlaClock

register = template.Library()


def _is_hardware_fault(ticket) -> bool:
    item = ticket.covered_item
    return item is not None and item.is_hardware


@register.inclusion_tag("spares/_ticket_panel.html", takes_context=True)
def spares_panel(context):
    ticket, user = context["ticket"], context["request"].user
    posted = context.get("posted_forms") or {}
    parts = list(selectors.ticket_parts(ticket))
    substitutes = list(selectors.ticket_substitutes(ticket))
    can_work = ticket.is_open and may.work_with_parts(ticket, user)
    for use in parts:
        use.settle_form = posted.get(f"settle_form_{use.pk}") or PartSettleForm(
            prefix=f"use{use.pk}"
        )
    promised = any(clock.kind == SlaClock.Kind.SUBSTITUTE for clock in ticket.clocks.all())
    installed = next((s for s in substitutes if s.returned_at is None), None)
    has_forms = any(name == "part_take_form" or name == "substitute_form" for name in posted)
    return {
        "ticket": ticket,
        "request": context["request"],
        "parts": parts,
        "substitutes": substitutes,
        "count": len(parts) + len(substitutes),
        "can_work": can_work,
        "taken": PartUse.State.TAKEN,
        "take_form": posted.get("part_take_form")
        or PartTakeForm(stock=selectors.stock_for_ticket(ticket, user)),
        "substitute_form": posted.get("substitute_form") or SubstituteForm(),
        "offer_substitute": can_work and installed is None,
        "substitute_promised": promised,
        # Folded unless there is something here already, a form came back, or it is hardware.
        "open": bool(parts or substitutes or has_forms or promised),
        "shown": bool(parts or substitutes or can_work or _is_hardware_fault(ticket)),
    }


@register.inclusion_tag("spares/_portal_panel.html")
def spares_for_customer(ticket):
    return {
        "used": [use for use in selectors.ticket_parts(ticket) if use.state == PartUse.State.USED],
        "substitutes": list(selectors.ticket_substitutes(ticket)),
    }
