"""One signature decoder (core/uploads.signature_png) for a ticket's sign-off and an
inspection report: the same drawing is accepted, and the same bad one refused with the same
words, on both."""

import base64
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from inspections.models import Inspection
from inspections.services.visits import inspection_sign
from tests.inspections.test_services import SIGNATURE, approved
from tests.tickets.test_bad_input import header_png
from tickets.models import SignOff
from tickets.services.creation import ticket_create
from tickets.work_services import sign_off_record

pytestmark = pytest.mark.django_db


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


UNREADABLE = "The signature could not be read."
BAD = {
    "nothing drawn": ("", "Draw the signature first."),
    "not base64": ("data:image/png;base64,@@@", UNREADABLE),
    "not a png": (_data_url(b"GIF89a" + b"\x00" * 20), UNREADABLE),
    "a png that is no image": (
        _data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        UNREADABLE,
    ),
    "a decompression bomb": (
        _data_url(header_png(20000, 20000)),
        UNREADABLE,
    ),
}


def _sign_ticket(world, signature: str) -> None:
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        kind="fault",
        priority="P2",
        summary="Pumps offline",
        channel="phone",
    )
    sign_off_record(ticket=ticket, user=world["agent"], signer_name="孙丽", signature=signature)


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_signature_is_refused_the_same_way_on_both(
    world, checklist, settings, tmp_path, case
):
    settings.MEDIA_ROOT = tmp_path / "media"
    signature, message = BAD[case]
    with pytest.raises(ValidationError) as on_ticket:
        _sign_ticket(world, signature)
    inspection = approved(world, checklist, date(2026, 3, 9))
    with pytest.raises(ValidationError) as on_report:
        inspection_sign(
            inspection=inspection,
            user=world["customer_user"],
            signer_name="孙丽",
            signature=signature,
        )
    assert (
        on_ticket.value.message_dict == on_report.value.message_dict == {"signature": [_(message)]}
    )
    assert not SignOff.objects.exists()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.APPROVED and not inspection.signature


def test_a_drawn_signature_is_stored_on_both(world, checklist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _sign_ticket(world, SIGNATURE)
    inspection = approved(world, checklist, date(2026, 3, 9))
    inspection_sign(
        inspection=inspection, user=world["customer_user"], signer_name="孙丽", signature=SIGNATURE
    )
    inspection.refresh_from_db()
    with (
        SignOff.objects.get().image.open("rb") as ticket_png,
        inspection.signature.open("rb") as report_png,
    ):
        assert ticket_png.read() == report_png.read() == base64.b64decode(SIGNATURE.split(",")[1])
