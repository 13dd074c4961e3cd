"""Links inside stored message texts: which parts are links, and where they lead.

A notification's body names places on the site by path ("/surveys/portal/2/"); the page
shows them as links, and an e-mail, read outside the site, needs the full address
(`SITE_URL`). One pattern serves both, so a page and its e-mail never disagree.
"""

import re

from django.conf import settings
from django.urls import Resolver404, resolve

# A site path ("/surveys/portal/2/") or a web address in a message body.
LINK = re.compile(r"(?<![\w/.:])(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)）。，；：]|/[\w\-/]+/)")


def is_site_path(path: str) -> bool:
    """Whether this path is one of our pages (and not just any slash-separated words)."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def absolute_links(text: str) -> str:
    """The text with each of our site paths as a full address under SITE_URL."""
    base = settings.SITE_URL.rstrip("/")

    def full(match: re.Match) -> str:
        target = match.group(0)
        if target.startswith("/") and is_site_path(target):
            return base + target
        return target

    return LINK.sub(full, str(text))
