"""Playwright in Debian's headless Chromium against a live server, at desktop and phone sizes."""

import os

import pytest
from django.utils import timezone

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


@pytest.fixture
def demo(transactional_db, installed_defaults):
    demo_load(today=timezone.localdate())


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
