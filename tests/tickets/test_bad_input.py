"""Issue 9's bad-input findings, replayed: each answers with a message or a 400, never a 500,
and nothing half-written is left behind (no row, no orphan file)."""

import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from core import inputs, uploads
from tickets.models import Attachment, CheckIn, State, Ticket, TicketEvent, WorkLog
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_acknowledge, ticket_dispatch

pytestmark = pytest.mark.django_db
NUL = "bad\x00note"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _ticket(world, *, dispatched=False) -> Ticket:
    ticket = ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        kind="fault",
        priority="P1",
        summary="Pumps offline",
        channel="phone",
        reported_at=timezone.now() - timedelta(minutes=10),
    )
    if dispatched:
        ticket_acknowledge(ticket_id=ticket.pk, user=world["agent"])
        ticket_dispatch(ticket_id=ticket.pk, user=world["agent"], engineer=world["engineer"])
        ticket.refresh_from_db()
    return ticket


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def header_png(width: int, height: int) -> bytes:
    """A small PNG whose header claims width × height pixels: what a decompression bomb is."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def real_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, "PNG")
    return out.getvalue()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# NUL bytes in raw page input -------------------------------------------------------------------


def test_nul_in_the_queue_filter_is_ignored(client, world):
    _ticket(world)
    client.force_login(world["agent"])
    response = client.get("/desk/", {"state": "\x00", "priority": "P1\x00"})
    assert response.status_code == 200
    assert "Pumps offline" in response.content.decode()


@pytest.mark.parametrize("action", ["acknowledge", "cancel"])
def test_nul_in_a_transition_note_is_a_message_and_changes_nothing(client, world, action):
    ticket = _ticket(world)
    client.force_login(world["agent"])
    response = client.post(
        f"/desk/tickets/{ticket.number}/do/{action}/", {"note": NUL}, follow=True
    )
    assert response.status_code == 200
    assert any("NUL" in m for m in _messages(response))
    ticket.refresh_from_db()
    assert ticket.state == State.NEW


def test_nul_in_a_priority_note_is_a_message(client, world):
    ticket = _ticket(world)
    client.force_login(world["agent"])
    response = client.post(
        f"/desk/tickets/{ticket.number}/priority/", {"priority": "P3", "note": NUL}, follow=True
    )
    assert response.status_code == 200 and any("NUL" in m for m in _messages(response))
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


def test_nul_in_a_work_log_is_a_message(client, world):
    ticket = _ticket(world, dispatched=True)
    client.force_login(world["engineer"])
    response = client.post(f"/desk/tickets/{ticket.number}/work-log/", {"text": NUL})
    # The page again, the error beside the field.
    assert response.status_code == 400 and response.context["work_log_form"].errors["text"]
    assert not WorkLog.objects.exists()


def test_nul_in_a_customer_note_is_a_message(client, world):
    ticket = _ticket(world)
    client.force_login(world["customer_user"])
    response = client.post(
        f"/portal/tickets/{ticket.number}/do/cancel/", {"note": NUL}, follow=True
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.state == State.NEW


# Numbers and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"latitude": "22.5", "longitude": "114", "accuracy": "inf"},
        {"latitude": "22.5", "longitude": "114", "accuracy": "3e9"},
        {"latitude": "NaN", "longitude": "114"},
    ],
)
def test_check_in_with_impossible_numbers_is_a_message(client, world, data):
    ticket = _ticket(world, dispatched=True)
    client.force_login(world["engineer"])
    response = client.post(f"/desk/tickets/{ticket.number}/check-in/", data)
    assert response.status_code == 400 and response.context["check_in_form"].errors
    assert not CheckIn.objects.exists()


def test_dashboard_custom_period_at_the_end_of_time_is_a_form_error(client, world):
    client.force_login(world["manager"])
    response = client.get(
        "/dashboard/", {"period": "custom", "start": "9999-12-31", "end": "9999-12-31"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2999-12-31" in html  # the message names the last date allowed
    assert 'value="9999-12-31"' in html  # what the person typed is kept


def test_the_input_rule_itself():
    with pytest.raises(inputs.ValidationError):
        inputs.clean_text("a\x00b", field="note")
    with pytest.raises(inputs.ValidationError):
        inputs.clean_text("\ud800", field="note")
    assert inputs.clean_text("水泵 ok", field="note") == "水泵 ok"
    for bad in ["inf", "NaN", "-Infinity", "1e400", "x"]:
        with pytest.raises(inputs.ValidationError):
            inputs.clean_number(bad, field="n")
    with pytest.raises(inputs.ValidationError):
        inputs.clean_number("3e9", field="n", maximum=1_000_000)
    assert inputs.clean_number("12.5", field="n", minimum=0, maximum=100) == 12.5
    assert inputs.clean_number("", field="n") is None
    for bad in ["9999-12-31", "0001-01-01", "2026-02-30"]:
        with pytest.raises(inputs.ValidationError):
            inputs.clean_date(bad, field="d")


# Uploads ------------------------------------------------------------------------------------


def test_portal_request_with_a_255_character_file_name_is_kept(client, world, settings):
    client.force_login(world["customer_user"])
    long_name = "报" * 100 + "x" * 151 + ".txt"
    assert len(long_name) == 255
    response = client.post(
        "/portal/new/",
        {
            "site": world["site"].pk,
            "kind": "fault",
            "priority": "P2",
            "summary": "Gateway lost power",
            "description": "since 08:00",
            "attachments": [SimpleUploadedFile(long_name, b"error 42", "text/plain")],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert len(attachment.name) <= 200 and attachment.name.endswith(".txt")
    assert attachment.name.startswith("报" * 100)
    assert len(stored_files(settings)) == 1


def test_api_attachment_long_name_and_the_same_size_limit_as_the_portal(
    world, api, settings, monkeypatch
):
    ticket = _ticket(world)
    agent = api(world["agent"])
    url = f"/api/tickets/{ticket.pk}/attachments/"
    long_name = "n" * 250 + ".log"
    response = agent.post(
        url, {"file": SimpleUploadedFile(long_name, b"log", "text/plain")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["name"]) == 200 and response.json()["name"].endswith(".log")
    # One limit for every path; a small one keeps the test fast.
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 1024)
    big = SimpleUploadedFile("big.bin", b"x" * 2048, "application/octet-stream")
    response = agent.post(url, {"file": big}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"file"}
    assert Attachment.objects.count() == 1
    assert len(stored_files(settings)) == 1
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ATTACHMENT).count() == 1


def test_a_decompression_bomb_photo_is_a_clear_error(client, world):
    ticket = _ticket(world, dispatched=True)
    client.force_login(world["engineer"])
    bomb = SimpleUploadedFile("bomb.png", header_png(20000, 20000), "image/png")
    assert len(bomb) < 48 * 1024
    response = client.post(
        f"/desk/tickets/{ticket.number}/work-log/", {"text": "site", "photo": bomb}
    )
    assert response.status_code == 400
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext("The photo has more than %(pixels)d megapixels.") % {
            "pixels": uploads.MAX_IMAGE_PIXELS // 1_000_000
        }
    assert response.context["work_log_form"].errors["photo"] == [expected]
    assert not WorkLog.objects.exists()


def test_images_for_pdfs_are_downscaled():
    big = real_png(3000, 2000)
    smaller, mime = uploads.pdf_image(big)
    assert mime in ("image/jpeg", "image/png")
    with Image.open(io.BytesIO(smaller)) as image:
        assert max(image.size) == uploads.PDF_IMAGE_MAX_SIDE
    small = real_png(20, 20)
    assert uploads.pdf_image(small) == (small, None)
    # A picture claiming 10000 × 10000 pixels is not decoded at all.
    stand_in, _ = uploads.pdf_image(header_png(10000, 10000))
    with Image.open(io.BytesIO(stand_in)) as image:
        assert image.size == (1, 1)


def test_short_name_keeps_the_extension():
    assert uploads.short_name("a" * 300 + ".pdf") == "a" * 196 + ".pdf"
    assert uploads.short_name("dir/report.pdf") == "report.pdf"
    assert uploads.short_name("") == "file"


def test_the_pdf_fetcher_downscales_a_stored_photo(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.pdf import storage_fetcher, storage_url

    name = default_storage.save("inspections/big.png", ContentFile(real_png(4000, 3000)))
    response = storage_fetcher().fetch(storage_url(name))
    with Image.open(io.BytesIO(response.read())) as image:
        assert image.size == (uploads.PDF_IMAGE_MAX_SIDE, uploads.PDF_IMAGE_MAX_SIDE * 3 // 4)
    assert response.headers["Content-Type"] == "image/jpeg"
