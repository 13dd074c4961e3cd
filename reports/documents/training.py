"""The sign-in sheet of a training session (培训签到表): the session's facts and everyone
invited, with an empty column for each signature, printed before the session and signed
there (the signed scan goes back on the session page)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.pdf import render_pdf


def signin_context(session) -> dict:
    """`session` read with its attendees (training.selectors.session_with_details)."""
    attendees = list(session.attendees.all())
    # A few empty rows for people who come without being invited.
    blanks = range(max(3, 12 - len(attendees)))
    return {
        "session": session,
        "attendees": attendees,
        "blanks": blanks,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "title": _("Training sign-in sheet"),
        "header": session.contract.customer.name,
    }


def signin_sheet_pdf(session) -> bytes:
    return render_pdf("reports/training_signin.html", signin_context(session))
