from django.core.management.base import BaseCommand

from tickets.escalation import sweep_due_steps
from tickets.mail import notifications_deliver


class Command(BaseCommand):
    help = "Run one SLA sweep now: record and notify every escalation step that is due."

    def handle(self, *args, **options) -> None:
        result = sweep_due_steps()
        sent = notifications_deliver()
        self.stdout.write(
            f"Swept {result.clocks} clocks: {result.steps} escalation steps, "
            f"{result.notifications} notifications, {sent} emails sent."
        )
