"""Files hung on a ticket (attachments, site photos, signatures): served only here."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from core.web import stored_file_response
from tickets.selectors import ticket_file


@login_required
def download(request, kind: str, pk: int):
    """Uploaded files go out only to people who may see their ticket; never from a public URL."""
    found = ticket_file(user=request.user, kind=kind, pk=pk)
    if found is None:
        raise Http404
    stored, name = found
    return stored_file_response(stored, filename=name)
