"""The portal's reports (/portal/reports/): the written reports issued to the contact's own
organisation, newest first, each downloaded once it is rendered.

What a contact sees is `reports.selectors.issued_reports_visible_to`: their organisation's
current versions, never a failed render, never another customer's; anything else is 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.roles import Role
from core.web import role_required, stored_file_response
from reports.selectors import issued_reports_visible_to

# While a report renders, the page looks again this often (seconds).
REFRESH_SECONDS = 10


@role_required(Role.CUSTOMER)
def reports(request):
    issues = list(issued_reports_visible_to(request.user).order_by("-issued_at", "-pk"))
    preparing = any(not issue.is_ready for issue in issues)
    response = render(request, "portal/reports.html", {"issues": issues, "refresh": preparing})
    if preparing:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@login_required
def download(request, pk: int):
    """An issued report's PDF, for whoever the one rule lets see it (its customer's contacts,
    managers); not rendered yet, or anyone else: 404."""
    issue = issued_reports_visible_to(request.user).filter(pk=pk).first()
    if issue is None or not issue.is_ready:
        raise Http404
    return stored_file_response(
        issue.job.file, filename=issue.filename, as_attachment=True, content_type="application/pdf"
    )
