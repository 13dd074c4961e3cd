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
