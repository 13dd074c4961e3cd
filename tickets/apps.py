from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from contracts.signals import calendar_changed
        from tickets.calendar_years import calendar_changed_received

        calendar_changed.connect(calendar_changed_received, dispatch_uid="tickets.calendar_changed")
