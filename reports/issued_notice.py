"""An issued report is ready: the customer's contacts are told (reports.rendering calls this
when a render finishes; reports.issued issues them)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from core.translatable import Message
from reports.models import IssuedReport, ReportJob
from reports.selectors import replaced_by_later_version
from tickets.notify import notify


def issued_report_rendered(*, job: ReportJob) -> int:
    """Tell the customer's contacts that an issued report is ready; how many were told.

    Called by reports.rendering once a job is done: a job that is no issue, or an issue a
    newer version replaced meanwhile, tells nobody; each issue is told once (the key).
    """
    issue = (
        IssuedReport.objects.select_related("customer")
        .annotate(replaced=replaced_by_later_version())
        .filter(job=job)
        .first()
    )
    if issue is None or issue.replaced or job.status != ReportJob.Status.DONE:
        return 0
    users = [contact.user for contact in issue.customer.contacts.select_related("user")]
    return notify(
        users,
        Message(
            gettext_lazy("Yearly satisfaction analysis %(year)s is ready"),
            gettext_lazy(
                "Our written report on your satisfaction with our service in %(year)s, "
                "for %(customer)s, is ready to download: %(link)s"
            ),
            {
                "year": issue.year,
                "customer": issue.customer.name,
                "link": reverse("portal_reports:home"),
            },
        ),
        key=f"issued-report:{issue.pk}:ready",
    )
