"""The knowledge base on the ticket pages, without the ticket views knowing about it:
`{% knowledge_panel %}` on the staff ticket page (the engineer's view included): the
articles suggested for the ticket, those written from it, and "write an article from this
ticket" once it is resolved."""

from django import template

from knowledge import permissions as may
from knowledge import selectors

register = template.Library()


@register.inclusion_tag("knowledge/_ticket_panel.html", takes_context=True)
def knowledge_panel(context):
    ticket, user = context["ticket"], context["request"].user
    suggested = selectors.articles_suggested(ticket, user)
    written = selectors.articles_from_ticket(ticket, user)
    can_write = may.write_articles(user) and selectors.ticket_may_become_article(ticket)
    return {
        "ticket": ticket,
        "suggested": suggested,
        "written": written,
        "can_write": can_write,
        # Open while the ticket is being worked and something is suggested.
        "open": bool(suggested) and ticket.is_open,
    }
