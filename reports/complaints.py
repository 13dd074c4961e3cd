"""The month's complaints (seed 004, 7.1.2.2: complaints and their outcomes reported
monthly): each complaint with its answer and whether it came in time, the totals, as a page
and a CSV (`/reports/complaints/?month=2026-11`)."""

import csv
from datetime import date

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import MANAGER_ROLES
from core.inputs import EARLIEST_DATE, LATEST_DATE
from core.web import role_required
from tickets.complaints import complaints_month


class MonthForm(forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean_month(self):
        month = self.cleaned_data["month"]
        if not EARLIEST_DATE <= month <= LATEST_DATE:
            raise forms.ValidationError(
                _("Choose a month between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year}
            )
        return month.replace(day=1)


def _totals(rows) -> dict:
    answered = [r for r in rows if r.answer]
    return {
        "count": len(rows),
        "answered": len(answered),
        "on_time": sum(1 for r in rows if r.on_time is True),
        "late": sum(1 for r in rows if r.on_time is False),
        "justified": sum(1 for r in answered if r.answer.justified),
    }


@role_required(*MANAGER_ROLES)
def complaints(request):
    today = timezone.localdate()
    form = MonthForm(request.GET or None, initial={"month": today.replace(day=1)})
    month = form.cleaned_data["month"] if form.is_valid() else today.replace(day=1)
    rows = complaints_month(month)
    if request.GET.get("format") == "csv" and (form.is_valid() or not request.GET.get("month")):
        return _csv(month, rows)
    context = {"form": form, "month": month, "rows": rows, "totals": _totals(rows)}
    return render(request, "reports/complaints.html", context, status=400 if form.errors else 200)


def _csv(month: date, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="complaints-{month:%Y-%m}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with its mark
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Ticket"),
            _("customer"),
            _("reported at"),
            _("summary"),
            _("answered at"),
            _("answered in time"),
            _("complaint justified"),
            _("what we found"),
            _("what we do about it"),
        ]
    )
    for row in rows:
        answer = row.answer
        writer.writerow(
            [
                row.ticket.number,
                row.ticket.customer.name,
                timezone.localtime(row.ticket.reported_at).strftime("%Y-%m-%d %H:%M"),
                row.ticket.summary,
                timezone.localtime(answer.answered_at).strftime("%Y-%m-%d %H:%M") if answer else "",
                {True: _("yes"), False: _("no"), None: ""}[row.on_time],
                (_("yes") if answer.justified else _("no")) if answer else "",
                answer.finding if answer else "",
                answer.action if answer else "",
            ]
        )
    return response
