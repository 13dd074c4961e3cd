from django.core.management.base import BaseCommand

from maintenance.services import downtime_remind


class Command(BaseCommand):
    help = "Send the reminders of planned downtime now due (beat does it every five minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"{downtime_remind()} window(s) reminded")
