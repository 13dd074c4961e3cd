from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.links import LINK, is_site_path
from tickets.models import State

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """A workflow state's name in the reader's language."""
    try:
        return State(value).label
    except ValueError:
        return value


@register.filter(needs_autoescape=True)
def linkify(text: str, autoescape: bool = True) -> str:
    """A notification's body with its line breaks, and its site paths and web addresses as
    links. The text is escaped first; only what the pattern matched becomes an <a>, and a
    site path only when it is one of ours."""
    escaped = conditional_escape(text) if autoescape else str(text)

    def link(match) -> str:
        target = match.group(0)
        if target.startswith("/") and not is_site_path(target):
            return target
        return f'<a href="{target}">{target}</a>'

    return mark_safe(LINK.sub(link, str(escaped)).replace("\n", "<br>"))
