from django.core.management.base import BaseCommand

from mail_intake.services import mailboxes_poll


class Command(BaseCommand):
    help = "Read every active mailbox once, as beat does every minute."

    def handle(self, *args, **options):
        for result in mailboxes_poll():
            if result.error:
                self.stderr.write(f"{result.mailbox}: {result.error}")
            else:
                self.stdout.write(f"{result.mailbox}: {result.taken} new mail(s)")
