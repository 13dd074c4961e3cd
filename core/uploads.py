"""The one upload policy: the portal, the desk, engineer photos, inspection photos and
`POST /api/tickets/{id}/attachments/` all check files here, so a file refused on one path is
refused on every path, with the same message.

- size per file (UPLOAD_MAX_FILE_MB) and per request (UPLOAD_MAX_REQUEST_MB);
- at most UPLOAD_MAX_FILES files per item (a request, an attachment post, a checklist answer);
- names are kept, shortened to what the database column holds (extension kept);
- photos are real images of at most UPLOAD_MAX_IMAGE_PIXELS pixels (a 48 KB PNG can claim
  20000×20000 and blow up whatever decodes it);
- signatures drawn in the browser arrive as PNG data URLs of at most MAX_SIGNATURE_BYTES
  and pass the photos' image checks;
- images going into PDFs are downscaled to PDF_IMAGE_MAX_SIDE pixels on their long side.
"""

import base64
import binascii
import io
import logging
import os
import warnings

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core import env
from core.error_views import bad_request

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_FILE_BYTES = env.UPLOAD_MAX_FILE_MB * MB
MAX_REQUEST_BYTES = env.UPLOAD_MAX_REQUEST_MB * MB
MAX_FILES = env.UPLOAD_MAX_FILES
MAX_IMAGE_PIXELS = env.UPLOAD_MAX_IMAGE_PIXELS
PDF_IMAGE_MAX_SIDE = env.PDF_IMAGE_MAX_SIDE
# Attachment.name is varchar(200).
MAX_NAME_LENGTH = 200
MAX_SIGNATURE_BYTES = 512 * 1024
PNG_DATA_URL = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def short_name(name: str, limit: int = MAX_NAME_LENGTH) -> str:
    """The file's name cut to `limit` characters, keeping its extension."""
    name = os.path.basename(name or "") or "file"
    if len(name) <= limit:
        return name
    root, ext = os.path.splitext(name)
    if len(ext) > 20:
        root, ext = name, ""
    return root[: limit - len(ext)] + ext


def file_validate(upload, *, field: str = "file") -> None:
    """One file: not larger than the per-file limit, a storable name."""
    if upload is None:
        return
    if "\x00" in (upload.name or ""):
        raise ValidationError({field: _("The file name contains a NUL character.")})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                field: _("%(name)s is larger than %(limit)s.")
                % {"name": short_name(upload.name, 60), "limit": filesizeformat(MAX_FILE_BYTES)}
            }
        )
    upload.name = short_name(upload.name)


def files_validate(uploads, *, field: str = "files", already: int = 0) -> None:
    """The files of one request for one item: count, total size, then each file."""
    uploads = [u for u in uploads or () if u]
    if already + len(uploads) > MAX_FILES:
        raise ValidationError(
            {field: _("At most %(count)d files per item.") % {"count": MAX_FILES}}
        )
    if sum(u.size for u in uploads) > MAX_REQUEST_BYTES:
        raise ValidationError(
            {
                field: _("The files together are larger than %(limit)s.")
                % {"limit": filesizeformat(MAX_REQUEST_BYTES)}
            }
        )
    for upload in uploads:
        file_validate(upload, field=field)


def photo_validate(upload, *, field: str = "photo") -> None:
    """A real image of a sensible size and pixel count, or a field error."""
    if upload is None:
        return
    file_validate(upload, field=field)
    too_big = _("The photo has more than %(pixels)d megapixels.") % {
        "pixels": MAX_IMAGE_PIXELS // 1_000_000
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError({field: too_big})
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError({field: too_big}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: _("This file is not a photo.")}) from exc
    finally:
        upload.seek(0)


def signature_png(data_url: str, *, field: str = "signature") -> bytes:
    """The PNG of a signature drawn on a screen, sent as a data URL, or a field error.

    The one decoder for every signature (a ticket's sign-off, an inspection report's).
    """
    data_url = data_url or ""
    if not data_url.startswith(PNG_DATA_URL):
        raise ValidationError({field: _("Draw the signature first.")})
    unreadable = ValidationError({field: _("The signature could not be read.")})
    try:
        data = base64.b64decode(data_url[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise unreadable from exc
    if not data.startswith(PNG_MAGIC) or len(data) > MAX_SIGNATURE_BYTES:
        raise unreadable
    try:
        photo_validate(ContentFile(data, name="signature.png"), field=field)
    except ValidationError as exc:
        raise unreadable from exc
    return data


def pdf_image(data: bytes) -> tuple[bytes, str | None]:
    """An image for a PDF: as stored if small, else downscaled to PDF_IMAGE_MAX_SIDE as JPEG
    (or PNG when it has transparency). Returns (bytes, new MIME type or None if unchanged).
    An image claiming more than the pixel cap becomes a blank 1×1 PNG, never decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _pdf_image(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _placeholder(), "image/png"
    except (UnidentifiedImageError, OSError, ValueError):
        # Not an image Pillow reads: WeasyPrint (which decodes with Pillow) skips it as before.
        return data, None


def _pdf_image(data: bytes) -> tuple[bytes, str | None]:
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            return _placeholder(), "image/png"
        if max(width, height) <= PDF_IMAGE_MAX_SIDE:
            return data, None
        image.draft("RGB", (PDF_IMAGE_MAX_SIDE, PDF_IMAGE_MAX_SIDE))
        image.thumbnail((PDF_IMAGE_MAX_SIDE, PDF_IMAGE_MAX_SIDE))
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"


def _placeholder() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(out, "PNG")
    return out.getvalue()


class RequestSizeLimitMiddleware:
    """Refuse (413) a body larger than the per-request limit before anything reads it.

    Django caps the form fields of a request (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams
    files of any size to temporary files before a view can look at them; a multi-GB post
    would fill the disk before `files_validate` refused it. The allowance is the files'
    limit plus the fields' limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
            # Answered here rather than raised: a too-large upload is the user's mistake,
            # one log line, not a traceback in the error log.
            logger.warning("Refused a %d-byte body to %s (413)", length, request.path)
            return bad_request(request, RequestDataTooBig(_("Request body too large.")))
        return self.get_response(request)
