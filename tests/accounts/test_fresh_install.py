"""One `migrate` on an empty database is a working install: every role holds its permissions.

The suite's own test database hides this (it is migrated once, then reused), so
this test creates a brand-new PostgreSQL database on the same server, runs
`manage.py migrate` against it in a separate process, exactly as `bin/serve`
and a first deploy do and with nothing else run, then asks a second process
what a manager and an engineer can do there, through the admin as a browser would.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

from accounts.roles import ROLE_PERMISSIONS, Role

ROOT = Path(__file__).resolve().parents[2]

# Run in the freshly migrated database; prints one JSON object.
CHECK = r"""
import json
import django

django.setup()

from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_assign_role
from contracts.models import Calendar

groups = {
    g.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in g.permissions.all())
    for g in Group.objects.prefetch_related("permissions__content_type")
}
manager = User.objects.create_user("fresh-manager", password="x")
user_assign_role(user=manager, role=Role.MANAGER)
manager = User.objects.get(pk=manager.pk)
calendar = Calendar.objects.create(name="7x24 fresh", code="fresh", kind="always_on")
client = Client()
client.force_login(manager)
pages = {}
for url in [
    "/admin/contracts/calendar/",
    "/admin/contracts/calendar/add/",
    f"/admin/contracts/calendar/{calendar.pk}/change/",
    "/admin/contracts/calendarday/",
    "/admin/contracts/calendarday/add/",
    "/admin/contracts/contract/",
    "/admin/contracts/contract/add/",
    "/admin/tickets/escalationrule/",
    "/admin/tickets/escalationrule/add/",
]:
    pages[url] = client.get(url).status_code
print(json.dumps({
    "groups": groups,
    "manager_perms": sorted(manager.get_all_permissions()),
    "pages": pages,
}))
"""


def _server_dsn(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "localhost",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": dbname,
    }


def _url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{dbname}"


@pytest.fixture
def empty_database():
    """A new, empty database on the test server, dropped afterwards."""
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_server_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**_server_dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: list[str], database: str) -> str:
    env = {**os.environ, "DATABASE_URL": _url(database)}
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_one_migrate_on_an_empty_database_gives_every_role_its_permissions(empty_database):
    _run(["manage.py", "migrate", "--no-input", "-v", "0"], empty_database)
    found = json.loads(_run(["-c", CHECK], empty_database).strip().splitlines()[-1])

    # Every permission roles.py names exists and is held, for every role.
    for role in Role:
        assert found["groups"][role.value] == sorted(set(ROLE_PERMISSIONS[role])), role
    manager = set(found["manager_perms"])
    for model in ["calendar", "calendarday", "workingwindow", "contract", "serviceterms"]:
        assert {f"contracts.add_{model}", f"contracts.change_{model}"} <= manager, model
    assert {"tickets.add_escalationrule", "tickets.change_escalationrule"} <= manager
    # And the admin lets the manager in: calendars, calendar days, contracts, the ladder.
    assert found["pages"] == dict.fromkeys(found["pages"], 200), found["pages"]
