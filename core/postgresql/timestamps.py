"""Timestamps read from PostgreSQL by psycopg's compiled loader, not Django's Python one.

Django registers, on every connection, a Python subclass of psycopg's pure-Python
`timestamptz` loader, so that values come back in the connection's zone. Pages read
hundreds of timestamps per request (the REST list's first page 1,650), and that loader
was a tenth of their Python time. With USE_TZ, Django keeps the session in UTC, where the
compiled loader of psycopg[binary] returns what Django's would: aware datetimes in
`datetime.timezone.utc`. The compiled class cannot be subclassed, so a small loader holds
one and hands out its `load`; `timezone` is what Django compares before every cursor.
"""

from datetime import UTC
from functools import cache

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import Format


@cache
def compiled_utc_loader() -> type[Loader] | None:
    """The loader class to register, or None without psycopg's compiled implementation."""
    oid = psycopg.adapters.types["timestamptz"].oid
    compiled = psycopg.adapters.get_loader(oid, Format.TEXT)
    if compiled is None or not compiled.__module__.startswith("psycopg_binary"):
        return None  # the pure-Python loader: what Django already wraps

    class UtcTimestamptzLoader(Loader):
        format = Format.TEXT
        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # psycopg's row maker takes `loader.load`: the instance's goes straight to C.
            self.load = compiled(oid, context).load

        def load(self, data):  # the abstract method; shadowed per instance above
            raise NotImplementedError

    return UtcTimestamptzLoader
