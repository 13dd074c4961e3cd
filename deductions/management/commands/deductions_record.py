from django.core.management.base import BaseCommand

from deductions.services import penalties_record


class Command(BaseCommand):
    help = (
        "Write the penalty of every breach not yet in its contract's ledger "
        "(beat does it every minute)."
    )

    def handle(self, *args, **options):
        written = penalties_record()
        self.stdout.write(f"{written} penalty line(s) written")
