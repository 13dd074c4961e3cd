"""Render the report jobs still queued, here and now (e.g. after a broker outage)."""

from django.core.management.base import BaseCommand

from reports.rendering import report_jobs_run_queued


class Command(BaseCommand):
    help = "Render queued report jobs synchronously, oldest first."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Render at most this many.")

    def handle(self, *args, limit=None, **options):
        count = report_jobs_run_queued(limit=limit)
        self.stdout.write(f"{count} report job(s) rendered")
