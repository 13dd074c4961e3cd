"""/healthz on the real stack bin/test starts, and the banner staff see when escalations stop."""

import io
import json
import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.celery import app
from tests.brokers import broker_down, needs_redis
from tests.tickets import conftest as tickets_conftest
from tickets.heartbeats import heartbeat_record
from tickets.models import Heartbeat
from tickets.tasks import sla_sweep, worker_heartbeat

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
broker_down = broker_down

SWEEP, WORKER = Heartbeat.Name.SLA_SWEEP, Heartbeat.Name.WORKER


def healthz():
    response = Client().get("/healthz")
    return response, response.json()


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_healthy_with_a_real_worker_running_the_sweep_and_its_heartbeat():
    assert not Heartbeat.objects.exists()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        worker_heartbeat.delay()
        sla_sweep.delay()
        assert wait_for(lambda: Heartbeat.objects.count() == 2)
        response, body = healthz()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    for check in ("database", "broker", "sweep", "worker"):
        assert body[check]["ok"] is True and body[check]["detail"]
    assert 0 <= body["sweep_age_seconds"] <= 30
    # Never cached by a proxy or the browser.
    assert "no-store" in response["Cache-Control"]


@needs_redis
@pytest.mark.django_db
def test_a_sweep_31_seconds_old_fails_the_check():
    now = timezone.now()
    heartbeat_record(name=SWEEP, now=now - timedelta(seconds=31))
    heartbeat_record(name=WORKER, now=now)
    response, body = healthz()
    assert response.status_code == 503
    assert body["status"] == "failing"
    assert body["sweep"]["ok"] is False and "limit 30 s" in body["sweep"]["detail"]
    assert body["sweep_age_seconds"] >= 31
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    # A fresh sweep (the command writes the same heartbeat) makes it healthy again.
    call_command("sla_sweep", stdout=io.StringIO())
    response, body = healthz()
    assert response.status_code == 200 and body["sweep_age_seconds"] < 30


@pytest.mark.django_db
def test_no_sweep_and_no_worker_ever_is_unhealthy():
    response, body = healthz()
    assert response.status_code == 503
    assert body["sweep"] == {"ok": False, "detail": "never ran"}
    assert body["sweep_age_seconds"] is None
    assert body["worker"]["ok"] is False


@pytest.mark.django_db
def test_a_closed_broker_port_fails_the_check_without_leaking_the_address(broker_down):
    now = timezone.now()
    heartbeat_record(name=SWEEP, now=now)
    heartbeat_record(name=WORKER, now=now)
    started = time.monotonic()
    response, body = healthz()
    assert response.status_code == 503
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] and body["sweep"]["ok"] and body["worker"]["ok"]
    assert time.monotonic() - started < 10  # answers, never hangs on the broker
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_the_answer_holds_no_secrets():
    heartbeat_record(name=SWEEP)
    text = Client().get("/healthz").content.decode()
    assert settings.SECRET_KEY not in text
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"):
        if os.environ.get(name):
            assert os.environ[name] not in text
    database = settings.DATABASES["default"]
    for value in (database.get("PASSWORD"), database.get("USER"), database.get("HOST")):
        if value:
            assert f'"{value}"' not in text
    assert set(json.loads(text)) == {
        "mail",
        "chat",
        "status",
        "database",
        "broker",
        "sweep",
        "sweep_age_seconds",
        "worker",
    }


# The banner staff see.

STALE = "Escalations have not run since"
STALE_ZH = "升级自"


def page_for(client, user, url, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


STAFF_PAGES = {
    "agent": "/desk/",
    "engineer": "/m/",
    "manager": "/dashboard/",
    "leader": "/reports/",
}


@pytest.mark.django_db
def test_staff_see_a_red_banner_when_the_sweep_is_over_a_minute_old(client, world):
    last = timezone.now() - timedelta(seconds=61)
    heartbeat_record(name=SWEEP, now=last)
    shown = timezone.localtime(last).strftime("%Y-%m-%d %H:%M:%S")
    for role, url in STAFF_PAGES.items():
        page = page_for(client, world[role], url)
        assert f"{STALE} {shown}" in page, role
        assert 'data-testid="sweep-stale"' in page
        client.logout()
    chinese = page_for(client, world["manager"], "/dashboard/", language="zh-hans")
    assert f"{STALE_ZH} {shown}" in chinese and STALE not in chinese


@pytest.mark.django_db
def test_admin_pages_show_the_banner_too(client, world):
    from tests.factories import UserFactory

    heartbeat_record(name=SWEEP, now=timezone.now() - timedelta(minutes=5))
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert STALE in page_for(client, admin, reverse("admin:index"))


@pytest.mark.django_db
def test_no_banner_when_the_sweep_is_fresh(client, world):
    heartbeat_record(name=SWEEP, now=timezone.now() - timedelta(seconds=5))
    for role, url in STAFF_PAGES.items():
        assert 'data-testid="sweep-stale"' not in page_for(client, world[role], url), role
        client.logout()


@pytest.mark.django_db
def test_customers_never_see_it(client, world):
    heartbeat_record(name=SWEEP, now=timezone.now() - timedelta(hours=2))
    for url in ("/portal/", "/portal/new/", "/portal/contracts/"):
        page = page_for(client, world["customer_user"], url)
        assert 'data-testid="sweep-stale"' not in page and STALE not in page
        client.logout()
        assert STALE_ZH not in page_for(client, world["customer_user"], url, language="zh-hans")
        client.logout()


@pytest.mark.django_db
def test_a_sweep_that_never_ran_is_shown_as_well(client, world):
    assert not Heartbeat.objects.exists()
    page = page_for(client, world["agent"], "/desk/")
    assert "Escalations have not run yet" in page
    assert "升级尚未运行过" in page_for(client, world["agent"], "/desk/", language="zh-hans")
