"""The one place that builds the Celery app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_ping(*, timeout: float = 1.0) -> None:
    """Reach the broker the way a task is sent (the app's write connection); raise if it is down.

    One attempt with short socket timeouts, so a health check never hangs on a
    broker that is down or unreachable.
    """
    options = {"max_retries": 0, "socket_connect_timeout": timeout, "socket_timeout": timeout}
    with app.connection_for_write(transport_options=options, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        client = getattr(conn.default_channel, "client", None)
        if client is not None:  # Redis: a real round trip, not just an open socket
            client.ping()
