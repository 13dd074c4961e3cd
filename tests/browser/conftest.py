"""Playwright in Debian's headless Chromium against a live server, at desktop and phone sizes."""

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from contracts.cache import reference_changed
from servicedesk.demo import demo_load

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    if browser_name != "chromium":
        return browser_type_launch_args
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    return {
        **browser_context_args,
        "viewport": VIEWPORTS[viewport],
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        # The engineer's check-in asks for the position; grant it as a phone would.
        "permissions": ["geolocation"],
        "geolocation": {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 25},
        "is_mobile": viewport == "phone",
        "has_touch": viewport == "phone",
    }


# Where the loaded demo is copied, table by table, for the next tests to restore.
SNAPSHOT_SCHEMA = "demo_snapshot"
# The demo is relative to the moment it is loaded ("reported 20 minutes ago"); a copy older
# than this is loaded again rather than restored.
SNAPSHOT_MAX_AGE = timedelta(minutes=2)


@dataclass(frozen=True)
class _Snapshot:
    loaded_at: datetime
    day: date
    restore_sql: str


_snapshot: _Snapshot | None = None  # this pytest process's copy of the demo, if any


@pytest.fixture
def demo(transactional_db, installed_defaults):
    """The demo data, as `demo_load(today=timezone.localdate())` leaves it.

    Loading it takes about 3 s, more than many browser tests; restoring a copy of its
    tables takes a fraction of that. So the first test of a pytest process to ask for the
    demo loads it for real and copies every table to the `demo_snapshot` schema; later
    tests empty the tables and fill them from that copy (`_restore`).

    The demo is relative to the moment it was loaded: a P1 call "reported 20 minutes ago"
    (30 minutes to respond) is at risk a few minutes later and late ten minutes later,
    and "today" is a date. A copy is therefore only restored while it is younger than
    SNAPSHOT_MAX_AGE and of the same local date; otherwise the demo is loaded for real
    again and copied anew. Each copy drops and re-creates the schema, so a copy left by
    an earlier run (a reused database) is never restored.

    The demo's files (inspection photos, ...) are under MEDIA_ROOT, shared by all tests
    and never removed by the flush, so the restored rows find them. The rows that
    `installed_defaults` has just inserted are replaced by the copy's, taken after the
    same fixture ran. The flush after each test empties the tables, not the copy: Django
    only sees the tables of the search path (public).
    """
    global _snapshot
    now = timezone.now()
    fresh = (
        _snapshot is not None
        and now - _snapshot.loaded_at < SNAPSHOT_MAX_AGE
        and _snapshot.day == timezone.localdate(now)
    )
    if fresh:
        _restore(_snapshot.restore_sql)
        return
    _snapshot = None  # a load that fails leaves no copy to restore
    demo_load(today=timezone.localdate(now))
    _snapshot = _Snapshot(loaded_at=now, day=timezone.localdate(now), restore_sql=_copy())


def _copy() -> str:
    """Copy every table (but the migrations) to SNAPSHOT_SCHEMA; return the SQL restoring them."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The columns to copy: not those PostgreSQL computes itself (GENERATED ALWAYS AS).
        cursor.execute(
            """SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position)
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.table_name <> 'django_migrations' AND c.is_generated = 'NEVER'
            GROUP BY c.table_name ORDER BY c.table_name"""
        )
        tables = {table: ", ".join(map(quote, columns)) for table, columns in cursor.fetchall()}
        # The columns that take their value from a sequence (identity or serial).
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"""
        )
        counters = [(table, column) for table, column in cursor.fetchall() if table in tables]
        cursor.execute(
            ";\n".join(
                [
                    f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE",
                    f"CREATE SCHEMA {SNAPSHOT_SCHEMA}",
                    *(
                        f"CREATE TABLE {SNAPSHOT_SCHEMA}.{quote(table)} AS "
                        f"SELECT {columns} FROM public.{quote(table)}"
                        for table, columns in tables.items()
                    ),
                ]
            )
        )
    statements = [
        # Superuser only: no trigger fires and no foreign key is checked while the tables
        # are emptied and filled, so their order does not matter and the triggers'
        # work (tickets' next deadline, ...) is copied rather than redone.
        "SET LOCAL session_replication_role = replica",
        "TRUNCATE " + ", ".join(f"public.{quote(table)}" for table in tables),
        *(
            # OVERRIDING SYSTEM VALUE: the copied ids go in even for GENERATED ALWAYS ids.
            f"INSERT INTO public.{quote(table)} ({columns}) OVERRIDING SYSTEM VALUE "
            f"SELECT {columns} FROM {SNAPSHOT_SCHEMA}.{quote(table)}"
            for table, columns in tables.items()
        ),
        # Each sequence goes on after the restored ids (from 1 in an empty table).
        *(
            f"SELECT setval(pg_get_serial_sequence('public.{quote(table)}', '{column}'), "
            f"coalesce(max({quote(column)}), 1), max({quote(column)}) IS NOT NULL) "
            f"FROM public.{quote(table)}"
            for table, column in counters
        ),
    ]
    return ";\n".join(statements)


def _restore(restore_sql: str) -> None:
    """Put the copied demo back in place of whatever the tables hold, and forget old ids."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(restore_sql)
        # contracts/cache.py keeps contracts and calendars per process (the live server
        # is a thread of this one) under the stamp they were read with. The restored
        # stamp is the copy's, which an earlier test may have read contracts under after
        # changing them without a new stamp (a bulk update); a new stamp, as every real
        # load gives, lets nothing kept before this restore be read again.
        reference_changed()
    # The flush and its post_migrate re-created the content types with new ids, which
    # Django caches; the restored rows have the copy's ids.
    ContentType.objects.clear_cache()


@pytest.fixture
def shoot(artifacts_dir, viewport):
    """Save a full-page screenshot as a test artefact."""

    def take(page, name: str) -> None:
        page.screenshot(path=str(artifacts_dir / f"{name}-{viewport}.png"), full_page=True)

    return take


@pytest.fixture
def login(live_server):
    def as_user(page, username: str) -> None:
        # A new person at the same browser: forget whoever was logged in.
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo-pass-2026")
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return as_user


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test fails if the page breaks its Content-Security-Policy.

    Chromium reports each blocked script, style or image on the console.
    """
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations = []

    def record(message):
        if "Content Security Policy" in message.text:
            where = message.location.get("url") or page.url
            violations.append(f"{where}:{message.location.get('lineNumber')}: {message.text}")

    page.on("console", record)
    yield violations
    assert violations == []
