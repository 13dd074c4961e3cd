"""Mail servers for tests: refusing addresses (550), failing for a while, slow, unreachable."""

import time
from smtplib import SMTPRecipientsRefused, SMTPResponseException

from django.core.mail.backends.locmem import EmailBackend

REFUSED = {"bad@example.com"}


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = set(message.to) & REFUSED
            if refused:
                raise SMTPRecipientsRefused({a: (550, b"no such user") for a in refused})
        return super().send_messages(messages)


class CountingBackend(EmailBackend):
    """Counts the connections opened to the mail server."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


class FlakyBackend(EmailBackend):
    """A mail server that answers 451 (try again later) to the first FAILURES sends."""

    FAILURES = 2
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= self.FAILURES:
            raise SMTPResponseException(451, b"try again later")
        return super().send_messages(messages)


class UnreachableBackend(EmailBackend):
    """A mail server that cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError("connection refused")


class SlowBackend(EmailBackend):
    """A mail server that takes a few milliseconds per message, so deliverers overlap."""

    def send_messages(self, messages):
        time.sleep(0.005)
        return super().send_messages(messages)


class DyingBackend(EmailBackend):
    """The worker is killed while it sends (BaseException: nothing catches it)."""

    def send_messages(self, messages):
        raise SystemExit("worker killed")
