"""The engineer's phone: my tickets, nearest deadline first."""

from django.shortcuts import render
from django.utils import timezone

from tickets.selectors import engineer_tickets
from tickets.views.common import role_required


@role_required("engineer")
def home(request):
    tickets = list(engineer_tickets(user=request.user))
    return render(request, "engineer/home.html", {"tickets": tickets, "now": timezone.now()})
