"""Test helpers for the Celery broker bin/test starts (Redis)."""

import os
from contextlib import contextmanager

import pytest

from servicedesk.celery import app

needs_redis = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
    reason="bin/test runs these against a real Redis",
)


@contextmanager
def broker_unreachable():
    """The app's broker URLs point to a closed port, as when Redis is gone."""

    def reset_pool():
        app._pool = None
        app.amqp._producer_pool = None

    names = ("broker_url", "broker_read_url", "broker_write_url")
    original = {name: app.conf[name] for name in names}
    for name in names:  # the read and write URLs were copied from broker_url at start
        app.conf[name] = "redis://127.0.0.1:1/0"
    reset_pool()
    try:
        yield
    finally:
        app.conf.update(original)
        reset_pool()


@pytest.fixture
def broker_down():
    with broker_unreachable():
        yield
