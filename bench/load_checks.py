"""What counts as a request that worked, for the load mix of bench/locustfile.py.

Plain functions of what came back (status, final address, the redirects on the
way, the page's text), so that they can be tested without Locust, which
patches the standard library on import. Each returns why the request did not
do its job, or "" when it did. Strict on purpose: an error page or the login
page answered with 200 must never count as a page served.
"""

import re
from html import unescape
from urllib.parse import urlsplit

LOGIN_PATH = "/accounts/login/"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
_MESSAGES = re.compile(r'<ul class="messages">(.*?)</ul>', re.S)
_MESSAGE = re.compile(r'<li class="([\w ]+)">(.*?)</li>', re.S)


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def page_problem(status: int, url: str, redirects: int = 0) -> str:
    """A GET of a page: served as asked, 200, no redirect (not to the login page either)."""
    if redirects:
        if _path(url) == LOGIN_PATH:
            return "sent to the login page"
        return f"redirected to {_path(url)}"
    if status != 200:
        return f"HTTP {status}"
    return ""


def login_problem(status: int, url: str, redirects: int, landing: str) -> str:
    """The login form's post, redirects followed: the role's own page, 200.

    A refused login shows the form again (200, no redirect); a lockout answers 403/429.
    """
    if _path(url) == LOGIN_PATH:
        return "login refused (the form again)"
    if status != 200:
        return f"HTTP {status}"
    if not redirects:
        return "no redirect after the login"
    if _path(url) != landing:
        return f"landed on {_path(url)}, not {landing}"
    return ""


def post_problem(status: int, location: str, page: str) -> str:
    """A form's post, redirects not followed: 302 back to `page` (a rejected form is a 400,
    a missing CSRF token a 403, a lost session a redirect to the login page)."""
    if status != 302:
        return f"HTTP {status}"
    if _path(location) == LOGIN_PATH:
        return "sent to the login page"
    if _path(location) != page:
        return f"redirected to {_path(location)}, not {page}"
    return ""


def messages(text: str) -> list[tuple[str, str]]:
    """The page's messages (base.html's list), as (level, text)."""
    listed = _MESSAGES.search(text)
    if not listed:
        return []
    return [(level, unescape(body).strip()) for level, body in _MESSAGE.findall(listed.group(1))]


def done_problem(text: str) -> str:
    """The page shown after a post: says it was done (a success message), and no refusal."""
    found = messages(text)
    refused = [body for level, body in found if level != "success"]
    if refused:
        return f"refused: {refused[0][:120]}"
    if not found:
        return "no message that it was done"
    return ""


def form_tokens(text: str, action: str) -> tuple[str, str] | None:
    """The CSRF and form tokens of the page's form that posts to `action`, or None
    when the page has no such form (the step is not offered)."""
    start = text.find(f'action="{action}"')
    if start < 0:
        return None
    form = text[start : text.find("</form>", start)]
    csrf, token = _CSRF.search(form), _FORM_TOKEN.search(form)
    if not csrf:
        return None
    return csrf.group(1), token.group(1) if token else ""
