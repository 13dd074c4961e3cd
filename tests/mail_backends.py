"""A mail server that refuses some addresses, as a real SMTP server does with 550."""

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.locmem import EmailBackend

REFUSED = {"bad@example.com"}


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = set(message.to) & REFUSED
            if refused:
                raise SMTPRecipientsRefused({a: (550, b"no such user") for a in refused})
        return super().send_messages(messages)
