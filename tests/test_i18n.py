import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from contracts.phases import Phase

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_chinese_translation():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_chinese_is_the_default_and_english_is_switchable(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override(settings.LANGUAGE_CODE):
        assert str(Phase.WARRANTY.label) == "质保期"
    with translation.override("en"):
        assert str(Phase.WARRANTY.label) == "Warranty"


@pytest.mark.django_db
def test_language_switch_changes_the_admin_login_page(client):
    assert "用户名" in client.get(reverse("admin:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Username" in client.get(reverse("admin:login")).content.decode()


def test_time_is_shanghai_and_stored_as_utc(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_translation_functions_keep_names_makemessages_can_see():
    """makemessages extracts `_`, `gettext_lazy`, `pgettext`... by name: a string marked
    through another alias (`gettext_lazy as _lazy`) never reaches the catalogue and is
    shown in English to everyone."""
    import re

    root = PO.parents[3]
    alias = re.compile(r"import .*\b(n?p?gettext(?:_lazy|_noop)?) as (?!_\b)(\w+)")
    found = []
    for path in root.rglob("*.py"):
        if any(part in {".venv", "var", "migrations", "node_modules"} for part in path.parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if alias.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not found, found
