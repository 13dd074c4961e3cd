from django import template

from tickets.models import State

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """A workflow state's name in the reader's language."""
    try:
        return State(value).label
    except ValueError:
        return value
