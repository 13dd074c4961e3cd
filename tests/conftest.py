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
