from django.core.management.base import BaseCommand

from duty.services import gaps_remind


class Command(BaseCommand):
    help = (
        "Tell each branch's managers of the holidays and events of the next 14 days that "
        "nobody is on duty for, once per gap day (beat does it daily)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{gaps_remind()} notification(s) written")
