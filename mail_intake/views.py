"""The desk's mail pages: what waits for an agent (the triage list), and one mail with
what an agent can make of it: a ticket, a reply on a ticket, or nothing."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import DESK_ROLES
from core.web import role_required, run_action
from mail_intake import selectors
from mail_intake.forms import MailReplyForm, MailTicketForm
from mail_intake.models import InboundMail
from mail_intake.parsing import mail_parse
from mail_intake.services import may_triage, triage_dismiss, triage_reply, triage_ticket
from tickets.selectors import ticket_by_number
from tickets.submissions import form_post_once

RECENT = 30


@role_required(*DESK_ROLES)
def waiting(request):
    mails = selectors.mails_visible_to(request.user)
    context = {
        "waiting": selectors.mails_waiting(request.user)[:200],
        "recent": mails.exclude(outcome=InboundMail.Outcome.TRIAGE)[:RECENT],
        "failing": selectors.mailboxes_failing(),
    }
    return render(request, "mail_intake/waiting.html", context)


def _mail(request, pk: int) -> InboundMail:
    mail = selectors.mails_visible_to(request.user).filter(pk=pk).first()
    if mail is None:
        raise Http404
    return mail


@role_required(*DESK_ROLES)
def mail(request, pk: int):
    mail = _mail(request, pk)
    can_act = may_triage(request.user) and mail.outcome == InboundMail.Outcome.TRIAGE
    ticket_form = reply_form = None
    posted = request.POST.get("action") if request.method == "POST" and can_act else None
    if posted == "ticket":
        ticket_form = MailTicketForm(request.POST)
        done = form_post_once(request, ticket_form, lambda data: _ticket(request, mail, data))
        if done is not None:
            return done
    elif posted == "reply":
        reply_form = MailReplyForm(request.POST)
        done = form_post_once(request, reply_form, lambda data: _reply(request, mail, data))
        if done is not None:
            return done
    suggested = selectors.customer_suggested(mail.from_address)
    initial = {"summary": mail.subject[:200], "customer": suggested}
    context = {
        "mail": mail,
        "can_act": can_act,
        "attachments": _attachment_names(mail),
        "ticket_form": ticket_form or MailTicketForm(initial=initial),
        "reply_form": reply_form or MailReplyForm(),
        "suggested": suggested,
    }
    failed = ticket_form is not None or reply_form is not None
    return render(request, "mail_intake/mail.html", context, status=400 if failed else 200)


def _ticket(request, mail: InboundMail, data: dict) -> tuple[str, str]:
    ticket = triage_ticket(mail_id=mail.pk, user=request.user, **data)
    message = _("Ticket %(number)s logged from the e-mail.") % {"number": ticket.number}
    return message, reverse("desk:ticket", args=[ticket.number])


def _reply(request, mail: InboundMail, data: dict) -> tuple[str, str]:
    ticket = ticket_by_number(user=request.user, number=data["ticket"].strip())
    if ticket is None:
        raise ValidationError({"ticket": _("No such ticket.")})
    triage_reply(mail_id=mail.pk, user=request.user, ticket=ticket)
    message = _("The e-mail was added to ticket %(number)s.") % {"number": ticket.number}
    return message, reverse("desk:ticket", args=[ticket.number])


@require_POST
@role_required(*DESK_ROLES)
def dismiss(request, pk: int):
    mail = _mail(request, pk)
    if not run_action(
        request, lambda: triage_dismiss(mail_id=mail.pk, user=request.user), success=_("Dismissed.")
    ):
        return redirect("mail_intake:mail", pk=mail.pk)
    return redirect("mail_intake:waiting")


@role_required(*DESK_ROLES)
def original(request, pk: int):
    """The mail as received (.eml), only ever downloaded: it may hold anything."""
    mail = _mail(request, pk)
    if not mail.raw:
        raise Http404
    return FileResponse(
        mail.raw.open("rb"),
        as_attachment=True,
        filename=f"mail-{mail.pk}.eml",
        content_type="message/rfc822",
    )


def _attachment_names(mail: InboundMail) -> list[tuple[str, int]]:
    if not mail.raw or not mail.attachment_count:
        return []
    with mail.raw.open("rb") as handle:
        parsed = mail_parse(handle.read())
    return [(a.name, len(a.content)) for a in parsed.attachments]
