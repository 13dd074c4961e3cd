"""PDF rendering: the only module that imports WeasyPrint.

Templates under templates/reports/ extend `reports/_document.html`, which
inlines the print stylesheet (A4, a running header, "page N of M" in the
margin boxes, a CJK font named on the body and on every margin box because
margin boxes do not inherit it). Images come from the default storage through
`storage:` URLs or from data: URIs; nothing is fetched over the network.
"""

import logging
import mimetypes
import re
from urllib.parse import quote, unquote

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.uploads import pdf_image

STORAGE_SCHEME = "storage:"

# WeasyPrint logs every rendering step at INFO; a worker log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def storage_url(name: str) -> str:
    """The URL a report template uses for a stored file (a photo, a signature)."""
    return STORAGE_SCHEME + quote(name)


def storage_fetcher(**options):
    """A WeasyPrint URL fetcher that reads `storage:` URLs and data: URIs, nothing else.

    WeasyPrint is imported here, not at module level: it takes about a second to
    import, and every worker restart (the SLA sweep waits for it) would pay for it.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StorageFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(STORAGE_SCHEME):
                name = unquote(url[len(STORAGE_SCHEME) :])
                with default_storage.open(name, "rb") as stored:
                    body = stored.read()
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
                if mime.startswith("image/"):
                    # A 10000×10000 photo would take seconds and a gigabyte to lay out.
                    body, smaller = pdf_image(body)
                    mime = smaller or mime
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"reports never fetch {url.split(':', 1)[0]} URLs")

    return StorageFetcher(**options)


def page_counter_css(label: str) -> str:
    """ "Page {page} of {pages}" (translated) -> a CSS `content` value with page counters."""
    tokens = []
    for part in re.split(r"(\{pages?\})", label):
        if part == "{page}":
            tokens.append("counter(page)")
        elif part == "{pages}":
            tokens.append("counter(pages)")
        elif part:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            tokens.append(f'"{escaped}"')
    return " ".join(tokens) or '""'


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF bytes; only stored files and data: URIs are read."""
    context = {
        "page_label_css": page_counter_css(_("Page {page} of {pages}")),
        **context,
    }
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    base_url = f"{STORAGE_SCHEME}/"
    document = HTML(
        string=html, base_url=base_url, url_fetcher=storage_fetcher(fail_on_errors=False)
    )
    return document.write_pdf()
