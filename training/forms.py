"""The training pages' forms. They read what was typed; the services decide (and their
refusals come back beside the fields, everything typed kept)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from contracts.models import Contact, Contract
from core.inputs import as_id
from tickets.portal_forms import MultipleFileField
from training.models import TrainingSession
from training.services import AttendeeInput

_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def engineers():
    return User.objects.filter(groups__name=Role.ENGINEER, is_active=True).order_by("username")


def _person(user) -> str:
    return user.get_full_name() or user.username


class SessionForm(forms.Form):
    contract = forms.ModelChoiceField(
        Contract.objects.select_related("customer").order_by("customer__name", "number"),
        label=_("contract"),
    )
    topic = forms.CharField(label=_("topic"), max_length=200)
    kind = forms.ChoiceField(label=_("kind of training"), choices=TrainingSession.Kind.choices)
    trainer = forms.ModelChoiceField(
        User.objects.none(), label=_("trainer"), required=False, empty_label=_("— external —")
    )
    trainer_name = forms.CharField(
        label=_("external trainer"),
        max_length=100,
        required=False,
        help_text=_("When the trainer is not one of our engineers."),
    )
    starts_at = forms.DateTimeField(label=_("starts at"), widget=_MOMENT)
    duration_minutes = forms.IntegerField(label=_("duration (minutes)"), min_value=1, initial=120)
    place = forms.CharField(label=_("place"), max_length=200)
    contacts = forms.ModelMultipleChoiceField(
        Contact.objects.none(),
        label=_("attendees: the customer's contacts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    others = forms.CharField(
        label=_("other attendees"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, organisation, position."),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, contract: Contract | None = None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = engineers()
        self.fields["trainer"].label_from_instance = _person
        self.fields["contract"].label_from_instance = lambda c: f"{c.customer.name} · {c.number}"
        if editing:
            # The contract of a session stays; its attendees are changed on the session page.
            for name in ("contract", "contacts", "others"):
                del self.fields[name]
            return
        if contract is None and self.is_bound:
            contract = Contract.objects.filter(pk=as_id(self.data.get("contract"))).first()
        contacts = Contact.objects.select_related("customer").order_by("customer__name", "name")
        if contract is not None:
            contacts = contacts.filter(customer_id=contract.customer_id)
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].label_from_instance = lambda c: " · ".join(
            part for part in (c.name, c.position, c.customer.name) if part
        )

    def clean_others(self) -> list[AttendeeInput]:
        return _people(self.cleaned_data.get("others", ""))

    def attendees(self) -> list[AttendeeInput]:
        data = self.cleaned_data
        chosen = [AttendeeInput(contact=contact) for contact in data.get("contacts") or []]
        return chosen + list(data.get("others") or [])


def _people(text: str) -> list[AttendeeInput]:
    """ "name, organisation, position" per line (a Chinese comma works too)."""
    people = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.replace("，", ",").split(",", 2)]
        if not parts[0]:
            continue
        parts += [""] * (3 - len(parts))
        people.append(AttendeeInput(name=parts[0], organisation=parts[1], position=parts[2]))
    return people


class AttendeeForm(forms.Form):
    contact = forms.ModelChoiceField(
        Contact.objects.none(), label=_("one of the customer's contacts"), required=False
    )
    name = forms.CharField(label=_("or a name"), max_length=100, required=False)
    organisation = forms.CharField(label=_("organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("position"), max_length=100, required=False)

    def __init__(self, *args, session: TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            customer_id=session.contract.customer_id
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("contact") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a contact or type a name."))
        return data

    def person(self) -> AttendeeInput:
        data = self.cleaned_data
        return AttendeeInput(
            contact=data.get("contact"),
            name=data.get("name", ""),
            organisation=data.get("organisation", ""),
            position=data.get("position", ""),
        )


class MaterialsForm(forms.Form):
    files = MultipleFileField(label=_("files"))


class SigninSheetForm(forms.Form):
    file = forms.FileField(label=_("the signed sign-in sheet (scan or photo)"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("why cancelled"), max_length=300, required=False)


class FilterForm(forms.Form):
    """The list's filters; anything unreadable is ignored rather than refused."""

    contract = forms.ModelChoiceField(Contract.objects.none(), label=_("contract"), required=False)
    state = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=[("", _("any")), *TrainingSession.State.choices],
    )
    year = forms.IntegerField(label=_("year"), required=False, min_value=1900, max_value=2999)

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts if contracts is not None else Contract.objects
        self.fields["contract"].label_from_instance = lambda c: f"{c.customer.name} · {c.number}"

    def values(self) -> dict:
        if not self.is_valid():
            return {
                name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
            }
        return self.cleaned_data
