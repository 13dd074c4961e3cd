"""Checks on photos taken on site, before they are kept as evidence."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# A phone photo is a few megabytes; anything far larger is not a photo.
MAX_PHOTO_BYTES = 15 * 1024 * 1024


def photo_validate(upload, *, field: str = "photo") -> None:
    """A real image of a sensible size, or a field error; never a file of another kind."""
    if upload is None:
        return
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({field: _("The photo is larger than 15 MB.")})
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: _("This file is not a photo.")}) from exc
    finally:
        upload.seek(0)
