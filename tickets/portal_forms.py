"""Forms of the customer portal: a new request, a reply, a rating.

The remote-access decision reuses `tickets.forms.RemoteDecisionForm`.
Every choice a customer can make is limited to their own organisation.
"""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, CoveredItem, Customer, Site
from contracts.models.contracts import Priority
from core import uploads
from tickets.models import Kind

MAX_ATTACHMENTS = uploads.MAX_FILES
MAX_ATTACHMENT_BYTES = uploads.MAX_FILE_BYTES

# What a customer may ask for: a fault, a question, a complaint or a change request.
REQUEST_KINDS = [
    (Kind.FAULT.value, Kind.FAULT.label),
    (Kind.CONSULTATION.value, Kind.CONSULTATION.label),
    (Kind.COMPLAINT.value, Kind.COMPLAINT.label),
    (Kind.CHANGE_REQUEST.value, Kind.CHANGE_REQUEST.label),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>; each is checked on its own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        try:
            uploads.files_validate(files)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PortalRequestForm(forms.Form):
    """A request from the customer: where, what, how urgent, with files.

    No `reported_at`: a portal request counts from the moment it is submitted.
    """

    site = forms.ModelChoiceField(
        Site.objects.none(), label=_("site"), required=False, empty_label=_("— not specific —")
    )
    covered_item = forms.ModelChoiceField(
        CoveredItem.objects.none(),
        label=_("covered item"),
        required=False,
        empty_label=_("— not specific —"),
        help_text=_("The system or device concerned, if you know it."),
    )
    contract = forms.ModelChoiceField(
        Contract.objects.none(),
        label=_("contract"),
        required=False,
        empty_label=_("— let the site or item decide —"),
        help_text=_("Only needed when several of your contracts cover the same site or item."),
    )
    kind = forms.ChoiceField(choices=REQUEST_KINDS, label=_("kind of request"), initial=Kind.FAULT)
    priority = forms.ChoiceField(choices=Priority.choices, label=_("priority"), initial="P2")
    summary = forms.CharField(label=_("summary"), max_length=200)
    description = forms.CharField(
        label=_("description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("What happened, since when, what you have already tried."),
    )
    attachments = MultipleFileField(label=_("attachments"), required=False)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        # Formatted here, not at import, so it is in the language of the request.
        self.fields["attachments"].help_text = _(
            "Screenshots, photos or logs: up to %(count)d files of %(size)s each."
        ) % {"count": MAX_ATTACHMENTS, "size": filesizeformat(MAX_ATTACHMENT_BYTES)}
        self.fields["site"].queryset = Site.objects.filter(customer=customer).order_by("name")
        # Their own organisation: the site's name is enough (and needs no query per option).
        self.fields["site"].label_from_instance = lambda site: site.name
        self.fields["covered_item"].queryset = (
            CoveredItem.objects.filter(customer=customer)
            .select_related("site")
            .order_by("name", "serial_number")
        )
        contracts = Contract.objects.filter(customer=customer).order_by("-signed_on", "number")
        if contracts.count() > 1:
            self.fields["contract"].queryset = contracts
        else:
            del self.fields["contract"]

    def clean(self):
        data = super().clean()
        site, item = data.get("site"), data.get("covered_item")
        if site is not None and item is not None and item.site_id and item.site_id != site.pk:
            self.add_error("covered_item", _("This item is at another site."))
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("your reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class RatingForm(forms.Form):
    """1 to 5 stars and an optional comment (满意度评价)."""

    score = forms.TypedChoiceField(
        label=_("how satisfied are you?"),
        choices=[(n, "★" * n) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
