"""The machine a run measured on, as every benchmark's report states it."""

import os
import platform
import sys
from contextlib import contextmanager
from pathlib import Path

import django


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def load_average() -> str:
    """The 1-minute load: other work on the same cores shows in the tail latencies first."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def machine() -> dict[str, str]:
    """CPU, memory, load and software versions, PostgreSQL's among them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": f"{ram_gib():.1f} GiB",
        "postgresql": pg_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
        "load": load_average(),
    }


def django_on_postgresql() -> bool:
    """Set Django up for a benchmark; False, with the reason on stderr, unless its database
    is PostgreSQL (the set-based generators and the figures are PostgreSQL's)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("the benchmark needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return False
    return True


@contextmanager
def script_cursor():
    """A cursor binding parameters on the client, for the datasets' SQL scripts: several
    statements in one execute with parameters, which the server-side binding the product
    uses (servicedesk/settings.py) refuses. Same connection, same transaction state."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        yield cursor
