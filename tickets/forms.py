from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contact, Contract, CoveredItem, Customer, Site
from contracts.models.contracts import Priority
from core.inputs import as_id
from tickets.models import Kind, RemoteAccessRequest, Size
from tickets.services.transitions import report_fields_required


class CallForm(forms.Form):
    """One form to log a call: who, where, what, how urgent, when it came in."""

    customer = forms.ModelChoiceField(Customer.objects.all(), label=_("customer"))
    contact = forms.ModelChoiceField(Contact.objects.none(), label=_("caller"), required=False)
    site = forms.ModelChoiceField(Site.objects.none(), label=_("site"), required=False)
    covered_item = forms.ModelChoiceField(
        CoveredItem.objects.none(), label=_("covered item"), required=False
    )
    contract = forms.ModelChoiceField(
        Contract.objects.none(),
        label=_("contract"),
        required=False,
        help_text=_("Leave empty to let the site or item decide."),
    )
    kind = forms.ChoiceField(choices=Kind.choices, label=_("kind"), initial=Kind.FAULT)
    priority = forms.ChoiceField(choices=Priority.choices, label=_("priority"), initial="P2")
    summary = forms.CharField(label=_("summary"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    reported_at = forms.DateTimeField(
        label=_("call came in at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        required=False,
    )
    acknowledge = forms.BooleanField(
        label=_("I have responded to the caller: acknowledge now"), required=False, initial=True
    )

    def __init__(self, *args, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if customer is None and self.is_bound:
            customer = Customer.objects.filter(pk=as_id(self.data.get("customer"))).first()
        if customer is not None:
            self.fields["customer"].initial = customer.pk
            self.fields["contact"].queryset = customer.contacts.all()
            self.fields["site"].queryset = customer.sites.all()
            self.fields["covered_item"].queryset = customer.items.all()
            self.fields["contract"].queryset = customer.contracts.all()
            # The customer is known: the agent goes straight to what the caller says.
            self.fields["summary"].widget.attrs["autofocus"] = True
        if not self.is_bound:
            self.fields["reported_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(
        label=_("internal note (the customer does not see it)"), required=False
    )


class FaultReportForm(forms.Form):
    """Seed 004, 7.3.1.1: symptoms, analysis, located cause, solution and fix, prevention."""

    symptoms = forms.CharField(
        label=_("symptoms"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    analysis = forms.CharField(
        label=_("analysis"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    cause = forms.CharField(
        label=_("located cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    solution = forms.CharField(
        label=_("solution and fix"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    prevention = forms.CharField(
        label=_("preventive measures"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    note = forms.CharField(label=_("note"), required=False)

    def __init__(self, *args, kind: str = Kind.FAULT, **kwargs):
        super().__init__(*args, **kwargs)
        # Marked before submitting, by the rule the resolve service checks.
        required = report_fields_required(kind)
        for name in ("symptoms", "analysis", "cause", "solution", "prevention"):
            self.fields[name].required = name in required


class CheckInForm(forms.Form):
    """Arrival on site; the position comes from the browser, if the engineer allows it."""

    photo = forms.FileField(
        label=_("Photo on arrival (optional)"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": "image/*", "capture": "environment", "id": "checkin-photo"}
        ),
    )


class WorkLogForm(forms.Form):
    """A line of work done on site, a photo, or both."""

    text = forms.CharField(
        label=_("work done"),
        widget=forms.Textarea(attrs={"rows": 2, "id": "worklog-text"}),
        required=False,
    )
    photo = forms.FileField(
        label=_("photo"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": "image/*", "capture": "environment", "id": "worklog-photo"}
        ),
    )


class SignOffForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Name of the person signing"),
        max_length=100,
        widget=forms.TextInput(attrs={"id": "signer"}),
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)


class RemoteRequestForm(forms.Form):
    reason = forms.CharField(label=_("what will be done"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.IntegerField(
        label=_("for how long (minutes)"), min_value=5, max_value=1440, initial=60
    )


class RemoteDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    window_start = forms.DateTimeField(
        label=_("allowed from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    window_end = forms.DateTimeField(
        label=_("allowed until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, request_obj: RemoteAccessRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_obj = request_obj


class ChangeEvaluationForm(forms.Form):
    scope = forms.CharField(
        label=_("scope of the change"), widget=forms.Textarea(attrs={"rows": 3})
    )
    effort = forms.CharField(
        label=_("effort"),
        max_length=200,
        help_text=_("For example: 6 person-days."),
    )
    schedule = forms.CharField(
        label=_("schedule"),
        max_length=200,
        help_text=_("When the work is done, and any downtime it needs."),
    )
    architecture = forms.CharField(
        label=_("effect on the system architecture"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "approve"), ("refuse", "refuse")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintAnswerForm(forms.Form):
    finding = forms.CharField(
        label=_("what we found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    justified = forms.TypedChoiceField(
        label=_("complaint justified"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    action = forms.CharField(
        label=_("what we do about it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    answer = forms.CharField(
        label=_("answer to the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Sent to the customer as our reply on the ticket."),
    )


_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TrialAnswerForm(forms.Form):
    """The trial-phase answer (tickets/trial_answers.py); fields may be given in steps."""

    cause = forms.CharField(
        label=_("cause of the problem"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    fix_due_at = forms.DateTimeField(
        label=_("fix done by"), widget=_MOMENT, input_formats=["%Y-%m-%dT%H:%M"], required=False
    )
    size = forms.ChoiceField(
        label=_("size"),
        choices=Size.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("why reclassified"),
        max_length=5000,
        required=False,
        help_text=_("Only when a service manager changes the size of an answered problem."),
    )

    def __init__(
        self,
        *args,
        hours: dict[str, int] | None = None,
        size_locked: bool = False,
        ask_reason: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Once answered, the size is the service manager's to change, with a reason.
        self.fields["size"].disabled = size_locked
        if not ask_reason:
            del self.fields["reason"]
        if hours:
            # The rule next to the choice: what each size promises.
            self.fields["size"].choices = [
                (
                    Size.SMALL,
                    _("Small problem: fixed within %(hours)d h") % {"hours": hours["small"]},
                ),
                (
                    Size.LARGE,
                    _("Large problem: fixed within %(hours)d h") % {"hours": hours["large"]},
                ),
            ]

    def answer_fields(self) -> dict:
        """What to save: a blank field keeps what is recorded (the page cannot send "keep")."""
        data = self.cleaned_data
        return {
            "cause": data["cause"] if data["cause"].strip() else None,
            "fix_due_at": data["fix_due_at"],
            "size": data["size"] or None,
            "reason": data.get("reason", ""),
        }


class TrialDeploymentForm(forms.Form):
    deployment = forms.CharField(
        label=_("what was deployed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text=_("Version and what changed; the customer reads it."),
    )
    tested = forms.BooleanField(label=_("The fix passed our internal test"))
