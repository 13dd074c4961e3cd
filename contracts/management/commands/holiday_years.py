from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from contracts.models import Calendar
from contracts.services import calendar_import_holidays, calendar_year_confirm


class Command(BaseCommand):
    help = (
        "Holiday years of a business-hours calendar: list them, import a year "
        "(confirmed from chinese-calendar, else provisional from `holidays`), or confirm one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["list", "import", "confirm"])
        parser.add_argument("calendar", help="calendar code, e.g. cn-business")
        parser.add_argument("years", nargs="*", type=int)
        parser.add_argument("--user", help="username of the manager confirming")

    def handle(self, *args, action: str, calendar: str, years: list[int], **options) -> None:
        found = Calendar.objects.filter(code=calendar).first()
        if found is None:
            raise CommandError(f"No calendar with code {calendar!r}.")
        if action != "list" and not years:
            raise CommandError("Name at least one year.")
        if action == "import":
            failed = False
            for result in calendar_import_holidays(calendar=found, years=years).values():
                if result.status is None:
                    failed = True
                    self.stderr.write(
                        f"{found.code} {result.year}: no source knows this year; "
                        "nothing imported. Enter the days by hand and confirm the year."
                    )
                else:
                    self.stdout.write(
                        f"{found.code} {result.year}: {result.added} days added, "
                        f"{result.status} ({result.source})."
                    )
            if failed:
                raise CommandError("Some years could not be imported.")
        elif action == "confirm":
            user = (
                User.objects.filter(username=options["user"]).first() if options["user"] else None
            )
            for year in years:
                row = calendar_year_confirm(calendar=found, year=year, user=user)
                self.stdout.write(f"{found.code} {row.year}: confirmed.")
        for row in found.years.all():
            self.stdout.write(f"{found.code} {row.year}: {row.status} {row.source}".rstrip())
