"""Where each role lands after logging in: the page of its everyday work, in whichever app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.roles import SUPERUSER, Role
from accounts.selectors import role_of

LANDING = {
    Role.AGENT: "desk:call",
    Role.MANAGER: "dashboard:home",
    Role.LEADER: "dashboard:home",
    SUPERUSER: "desk:queue",
    Role.ENGINEER: "engineer:home",
    Role.CUSTOMER: "portal:home",
}


@login_required
def home(request):
    """Each role lands on the page of its everyday work."""
    return redirect(LANDING.get(role_of(request.user), "notifications"))
