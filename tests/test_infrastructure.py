"""The suite runs on the real services bin/test starts, not on stand-ins."""

import os

import pytest
from django.db import connection

from servicedesk.celery import app


@pytest.mark.django_db
def test_database_is_the_one_the_environment_names():
    url = os.environ.get("DATABASE_URL", "sqlite")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_celery_broker_is_reachable():
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        assert app.conf.broker_url.startswith("redis://")
