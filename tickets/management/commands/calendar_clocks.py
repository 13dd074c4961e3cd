from django.core.management.base import BaseCommand, CommandError

from contracts.models import Calendar
from tickets.calendar_years import calendar_clocks_recompute, holiday_years_remind


class Command(BaseCommand):
    help = (
        "recompute CODE: recompute the deadlines of the running clocks on a calendar now "
        "(what a calendar edit queues); remind: tell managers about unconfirmed holiday years."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["recompute", "remind"])
        parser.add_argument("calendar", nargs="?", help="calendar code, for recompute")

    def handle(self, *args, action: str, calendar: str | None, **options) -> None:
        if action == "remind":
            created = holiday_years_remind()
            self.stdout.write(f"{created} notifications created.")
            return
        found = Calendar.objects.filter(code=calendar).first() if calendar else None
        if found is None:
            raise CommandError("Name the code of an existing calendar.")
        moved = calendar_clocks_recompute(calendar_id=found.pk, changes=[{"what": "recomputed"}])
        self.stdout.write(f"{found.code}: {moved} deadlines moved.")
