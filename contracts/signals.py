"""Signals other apps listen to, so contracts never imports them."""

from django.dispatch import Signal

#: A calendar's working time changed (days, windows, confirmed years).
#: Sent with ``calendar_id`` and ``changes`` (see contracts.services.calendar_changed_notify).
calendar_changed = Signal()
