"""The e-mail channel: batches over one connection, each e-mail once, retried, never lost."""

import os
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.translatable import Message
from tests.factories import UserFactory
from tests.mail_backends import CountingBackend, FlakyBackend
from tickets.mail import LEASE, MAX_EMAIL_ATTEMPTS, notifications_deliver, retry_delay
from tickets.models import Notification
from tickets.notify import notify

pytestmark = pytest.mark.django_db

SURVEY = Message(gettext_lazy("Please answer our satisfaction survey"))


def _people(count: int, first: int = 0) -> list:
    return [UserFactory(username=f"contact{n}") for n in range(first, first + count)]


def _notify(people) -> None:
    notify(people, Message(gettext_lazy("%(year)s holidays not confirmed yet"), "", {"year": 2027}))


def _statements(captured, verb: str) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        # The claim is a WITH ... UPDATE: counted as the UPDATE it is.
        if q["sql"].replace("WITH picked AS MATERIALIZED", "UPDATE").startswith(verb)
        and "tickets_notification" in q["sql"]
    ]


def test_a_batch_goes_over_one_connection_and_is_marked_once(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    CountingBackend.opened = 0
    costs = []
    for first, count in ((0, 3), (3, 30)):
        _notify(_people(count, first))
        with CaptureQueriesContext(connection) as captured:
            assert notifications_deliver() == count
        costs.append(len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]))
        # One claim and one mark, both updates; one read of the claimed rows.
        assert len(_statements(captured, "UPDATE")) == 2
        assert len(_statements(captured, "SELECT")) == 1
    assert CountingBackend.opened == 2
    assert len(mailoutbox) == 33
    # The work per run does not grow with the batch.
    assert costs[0] == costs[1] == 3
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert not Notification.objects.filter(email_due_at__isnull=False).exists()
    assert notifications_deliver() == 0


def test_a_batch_stops_at_its_limit_and_the_next_run_takes_the_rest(mailoutbox):
    _notify(_people(5))
    assert notifications_deliver(limit=3) == 3
    assert notifications_deliver(limit=3) == 2
    assert sorted(m.to[0] for m in mailoutbox) == [f"contact{n}@example.com" for n in range(5)]


def test_a_failing_send_is_retried_with_backoff_and_never_lost(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.attempts = 0
    [person] = _people(1)
    notify([person], SURVEY)
    t0 = timezone.now()
    assert notifications_deliver(now=t0) == 0
    note = Notification.objects.get()
    assert (note.email_failures, note.email_due_at) == (1, t0 + retry_delay(1))
    # Before the delay is over nothing is tried.
    assert notifications_deliver(now=t0 + timedelta(seconds=30)) == 0
    assert FlakyBackend.attempts == 1
    t1 = t0 + retry_delay(1)
    assert notifications_deliver(now=t1) == 0
    note.refresh_from_db()
    assert (note.email_failures, note.email_due_at) == (2, t1 + retry_delay(2))
    assert retry_delay(2) == 2 * retry_delay(1)
    assert notifications_deliver(now=t1 + retry_delay(2)) == 1
    assert [m.to for m in mailoutbox] == [[person.email]]
    note.refresh_from_db()
    assert note.emailed_at and note.email_due_at is None and note.email_failures == 2
    assert notifications_deliver(now=t1 + timedelta(days=1)) == 0


def test_with_the_mail_server_away_the_whole_batch_waits_for_its_retry(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail_backends.UnreachableBackend"
    _notify(_people(4))
    t0 = timezone.now()
    assert notifications_deliver(now=t0) == 0
    assert set(Notification.objects.values_list("email_failures", flat=True)) == {1}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_deliver(now=t0 + retry_delay(1)) == 4
    assert len(mailoutbox) == 4


def test_a_deliverer_killed_mid_batch_leaves_its_e_mails_to_the_next_run(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail_backends.DyingBackend"
    _notify(_people(2))
    t0 = timezone.now()
    with pytest.raises(SystemExit):
        notifications_deliver(now=t0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Claimed by the dead run until its lease ends; then sent, none lost.
    assert notifications_deliver(now=t0 + timedelta(minutes=1)) == 0
    assert notifications_deliver(now=t0 + LEASE + timedelta(seconds=1)) == 2
    assert len(mailoutbox) == 2


def test_an_e_mail_failing_every_time_is_given_up_and_stays_in_the_app(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    bad = UserFactory(username="bad", email="bad@example.com")
    notify([bad], SURVEY)
    moment = timezone.now()
    for _attempt in range(MAX_EMAIL_ATTEMPTS):
        moment += timedelta(hours=2)
        notifications_deliver(now=moment)
    note = Notification.objects.get()
    assert (note.email_failures, note.email_due_at, note.emailed_at) == (
        MAX_EMAIL_ATTEMPTS,
        None,
        None,
    )
    assert notifications_deliver(now=moment + timedelta(days=1)) == 0
    assert not mailoutbox
    assert list(bad.notifications.filter(read_at__isnull=True)) == [note]


def test_e_mail_is_written_in_the_site_language_whatever_the_worker_speaks(settings, mailoutbox):
    settings.LANGUAGE_CODE = "zh-hans"
    notify(_people(1), SURVEY)
    with translation.override("en"):
        notifications_deliver()
    assert mailoutbox[0].subject == "请填写我们的满意度意见征询表"


def test_e_mail_is_written_in_the_language_each_person_last_chose(client, settings, mailoutbox):
    settings.LANGUAGE_CODE = "zh-hans"
    english, chinese = _people(2)
    client.force_login(english, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english.refresh_from_db()
    assert english.language == "en"
    notify([english, chinese], SURVEY)
    notifications_deliver()
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects[english.email] == "Please answer our satisfaction survey"
    assert subjects[chinese.email] == "请填写我们的满意度意见征询表"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SKIP LOCKED needs PostgreSQL",
)
def test_two_deliverers_at_once_send_each_e_mail_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    mail.outbox = []
    people = _people(60)
    _notify(people)
    barrier = threading.Barrier(2)
    sent = {"first": 0, "second": 0}

    def deliver(name):
        try:
            barrier.wait()
            while count := notifications_deliver(limit=7):
                sent[name] += count
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(name,)) for name in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(p.email for p in people)
    # Both took part, and between them sent each e-mail once.
    assert sent["first"] > 0 and sent["second"] > 0
    assert sent["first"] + sent["second"] == 60
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 60


def test_a_site_path_in_a_message_is_a_full_address_in_the_e_mail(settings, mailoutbox):
    """Read in a mail program, "/surveys/portal/2/" leads nowhere; the full address does."""
    settings.SITE_URL = "https://desk.example.com/"
    person = _people(1)[0]
    body = gettext_lazy(
        "Dear %(name)s, please tell us how satisfied you are with our maintenance work "
        "for contract %(contract)s (%(period)s): %(link)s"
    )
    params = {
        "name": "Li",
        "contract": "/no/such/page/",
        "period": "H2",
        "link": "/surveys/portal/2/",
    }
    notify([person], Message(SURVEY.title, body, params))
    notifications_deliver()
    (sent,) = mailoutbox
    assert sent.body.endswith("https://desk.example.com/surveys/portal/2/")
    # Only our own pages get the address; other slash-separated words stay as written.
    assert "/no/such/page/" in sent.body and "example.com/no/such" not in sent.body
