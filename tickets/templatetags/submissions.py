"""A one-time token in each creating form, so a double click saves once (tickets/submissions.py)."""

from django import template
from django.utils.html import format_html

from tickets.submissions import FORM_TOKEN_FIELD, form_token_new

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, form_token_new()
    )
