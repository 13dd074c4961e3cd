import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests leave screenshots and rendered pages for people to look at."""
    path = Path(os.environ.get("TEST_ARTIFACTS", "var/test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# CI runs the property-based tests on a fixed seed so a red build always
# reproduces; locally they explore new examples every run.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language, whatever an earlier request switched to."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def installed_defaults(db):
    """The escalation ladder a data migration installs, whatever a flush removed.

    Transactional tests empty every table when they end, and restoring the
    migration data from a serialized copy proved unreliable across the suite.
    Roles are not restored here: every migrate and every flush re-creates them
    (accounts/apps.py), and tests/accounts/test_fresh_install.py proves one
    migrate on an empty database is enough.
    """
    from tickets.ladder import ladder_install_defaults
    from tickets.models import EscalationRule

    ladder_install_defaults(EscalationRule)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test is a fresh client: DRF's throttle counters (in the cache) start at zero.

    django-axes keeps its failure counts in the database, which every test
    starts empty, so its lockout stays on and is tested as configured.
    """
    from django.core.cache import cache

    cache.clear()
    yield
