"""`manage.py sla_rollups_rebuild [--from DAY --to DAY]`: SLA rollups recounted from the clocks."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from tickets.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the SLA rollups (every day, or the local days given) from the clocks."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="included")

    def handle(self, *args, first=None, last=None, **options):
        if (first is None) != (last is None):
            raise CommandError("Give both --from and --to, or neither.")
        if first is not None and last < first:
            raise CommandError("--to is before --from.")
        end = last + timedelta(days=1) if last is not None else None
        written = rollups_rebuild(first=first, end=end)
        self.stdout.write(f"{written} rollup rows written")
