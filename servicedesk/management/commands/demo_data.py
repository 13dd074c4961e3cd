from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from servicedesk.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo customers, contracts and logins (safe to run again)."

    def handle(self, *args, **options) -> None:
        logins = demo_load(today=timezone.localdate())
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role!s:<10} {login.name}")
