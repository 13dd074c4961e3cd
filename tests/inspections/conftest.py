"""Fixtures for inspection tests: the ticket tests' small world, a weekly checklist, and the
browser fixtures of tests/browser at phone size."""

import os
from datetime import date
from decimal import Decimal

import pytest

from inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    InspectionPlan,
)
from tests.browser import conftest as browser_fixtures
from tests.tickets import conftest as ticket_fixtures

# The ticket tests' world, and the browser journeys' Chromium, live server and demo.
branch = ticket_fixtures.branch
staff = ticket_fixtures.staff
business_calendar = ticket_fixtures.business_calendar
world = ticket_fixtures.world
browser_type_launch_args = browser_fixtures.browser_type_launch_args
browser_context_args = browser_fixtures.browser_context_args
demo = browser_fixtures.demo
login = browser_fixtures.login
shoot = browser_fixtures.shoot

HERE = __file__.rsplit("/", 1)[0]


def pytest_collection_modifyitems(config, items):
    """Browser journeys need the Playwright plugin; without it (-p no:playwright) skip them."""
    if config.pluginmanager.has_plugin("playwright"):
        if any(str(i.path).startswith(HERE) and i.get_closest_marker("browser") for i in items):
            # Playwright's sync API runs an event loop while the test's ORM calls stay
            # synchronous; bin/test exports the same for the whole run.
            os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        return
    skip = pytest.mark.skip(reason="Playwright plugin disabled")
    for item in items:
        if str(item.path).startswith(HERE) and item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture
def viewport():
    return "phone"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def checklist(db):
    template = ChecklistTemplate.objects.create(name="Weekly", code="weekly-system")
    software = ChecklistSection.objects.create(template=template, order=1, title="基础软件巡检")
    app = ChecklistSection.objects.create(template=template, order=2, title="应用系统巡检")
    kind = ChecklistItem.AnswerKind
    items = {
        "patches": ChecklistItem.objects.create(
            section=software, order=1, text="Patches", answer_kind=kind.PASS_FAIL
        ),
        "log": ChecklistItem.objects.create(
            section=software, order=2, text="Log review", answer_kind=kind.TEXT
        ),
        "page": ChecklistItem.objects.create(
            section=app,
            order=1,
            text="Page response",
            answer_kind=kind.NUMBER,
            unit="s",
            min_value=Decimal("0"),
            max_value=Decimal("3"),
        ),
        "api": ChecklistItem.objects.create(
            section=app,
            order=2,
            text="API response",
            answer_kind=kind.NUMBER,
            unit="ms",
            min_value=Decimal("0"),
            max_value=Decimal("500"),
            change_threshold_percent=50,
        ),
        "backup": ChecklistItem.objects.create(
            section=app,
            order=3,
            text="Backup",
            answer_kind=kind.PASS_FAIL,
            photo_required=True,
        ),
        "remark": ChecklistItem.objects.create(
            section=app, order=4, text="Remarks", answer_kind=kind.TEXT, required=False
        ),
    }
    return {"template": template, **items}


@pytest.fixture
def plan(world, checklist):
    return InspectionPlan.objects.create(
        contract=world["contract"],
        site=world["site"],
        template=checklist["template"],
        cycle=InspectionPlan.Cycle.WEEKLY,
        engineer=world["engineer"],
        starts_on=date(2026, 3, 2),
        lead_days=14,
    )
