"""Statements planned with their parameters every time they run."""

from contextlib import contextmanager


@contextmanager
def planned_each_time(connection):
    """Inside, the connection's statements are not prepared (servicedesk/settings.py prepares
    a statement on its second run). For a statement whose best plan depends on the values
    bound, a moment above all: once prepared, PostgreSQL soon plans it for any value, and for
    any moment it must assume that most clocks are past it, while a partial index of the few
    that are is what makes it fast (the dashboard's figures: 75 ms planned for the moment,
    420 ms with a plan for any, at a million tickets)."""
    connection.ensure_connection()
    raw = connection.connection
    if not hasattr(raw, "prepare_threshold"):  # another driver: nothing is prepared
        yield
        return
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold
