"""The engineer's phone: my tickets, nearest deadline first."""

from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Role
from core.web import role_required
from tickets.models.clocks import ticket_alert
from tickets.selectors import engineer_tickets


@role_required(Role.ENGINEER)
def home(request):
    now = timezone.now()
    tickets = list(engineer_tickets(user=request.user))
    for ticket in tickets:
        ticket.alert = ticket_alert(ticket.clocks.all(), now)
    return render(request, "engineer/home.html", {"tickets": tickets, "now": now})
