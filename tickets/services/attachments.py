"""Files kept on a ticket."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import uploads
from core.inputs import clean_text
from tickets.models import Attachment, Ticket, TicketEvent


@transaction.atomic
def ticket_attach(*, ticket_id: int, user: User | None, file, name: str = "") -> Attachment:
    """Keep a file on the ticket, checked by the one upload policy (core/uploads.py).

    A long name is shortened to fit; if the row cannot be written the stored file is removed,
    so no orphan is left on disk."""
    uploads.file_validate(file)
    ticket = Ticket.objects.get(pk=ticket_id)
    attachment = Attachment(
        ticket=ticket,
        file=file,
        name=uploads.short_name(clean_text(name, field="name") or file.name),
        uploaded_by=user,
    )
    try:
        attachment.save()
    except Exception:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.ATTACHMENT,
        at=timezone.now(),
        actor=user,
        note=attachment.name,
    )
    return attachment


def attachment_of_stored(*, ticket: Ticket, user: User | None, stored) -> Attachment:
    """List evidence already stored (a check-in or work photo) with the ticket's attachments.

    The row points at the same file, so the photo is kept once and the ticket page, its
    downloads and `GET /api/tickets/{id}/attachments/` show it like any other file.
    """
    return Attachment.objects.create(
        ticket=ticket,
        file=stored.name,
        name=uploads.short_name(stored.name),
        uploaded_by=user,
    )
