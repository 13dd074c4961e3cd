"""The customer portal's contracts page: the phase each contract is in today, its key dates
and the promises in force, read-only."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from contracts.models import Contract
from contracts.phases import SERVICE_PHASES, AfterWarranty, Phase
from contracts.selectors import contracts_visible_to, contracts_with_terms
from core.web import role_required


def _duration(minutes: int | None) -> str:
    """Minutes as people say them: 30 min, 4 h, 1 h 30 min."""
    if not minutes:
        return "—"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


@role_required(Role.CUSTOMER)
def contracts(request):
    """Our contracts: phase today, key dates and the promises in force, read-only."""
    now = timezone.now()
    # Terms with their calendars, sites and covered items come prefetched.
    queryset = contracts_with_terms(
        contracts_visible_to(request.user, Contract.objects.all())
    ).order_by("-signed_on", "number")
    rows = []
    for contract in queryset:
        phase = contract.phase_at(now)
        terms = []
        if phase in SERVICE_PHASES:
            for term in sorted(
                (t for t in contract.terms.all() if t.phase == phase), key=lambda t: t.priority
            ):
                terms.append(
                    {
                        "terms": term,
                        "response": _duration(term.response_minutes),
                        "onsite": _duration(term.onsite_minutes),
                        "resolution": _duration(term.resolution_minutes),
                        "repair": ngettext("%(days)d day", "%(days)d days", term.repair_days)
                        % {"days": term.repair_days}
                        if term.repair_days
                        else "—",
                    }
                )
        rows.append(
            {
                "contract": contract,
                "phase": phase,
                "phase_label": Phase(phase).label,
                "phase_class": "ok" if phase in SERVICE_PHASES else "bad",
                "terms": terms,
                "agreement": contract.after_warranty == AfterWarranty.AGREEMENT,
            }
        )
    return render(request, "portal/contracts.html", {"rows": rows, "now": now})
