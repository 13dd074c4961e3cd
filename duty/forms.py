"""The roster pages' forms. They read what was typed; the services decide (their refusals
come back beside the fields, everything typed kept)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import DutyShift, User
from contracts.models import Site
from duty.selectors import branch_engineers

_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _person(user) -> str:
    return user.get_full_name() or user.username


def _sites(branch):
    return Site.objects.filter(branch=branch).select_related("customer").order_by("name")


class ShiftForm(forms.Form):
    engineer = forms.ModelChoiceField(User.objects.none(), label=_("engineer"))
    starts_at = forms.DateTimeField(label=_("from"), widget=_MOMENT)
    ends_at = forms.DateTimeField(label=_("to"), widget=_MOMENT)
    mode = forms.ChoiceField(label=_("on call or on site"), choices=DutyShift.Mode.choices)
    kind = forms.ChoiceField(label=_("kind of duty"), choices=DutyShift.Kind.choices)
    site = forms.ModelChoiceField(
        Site.objects.none(),
        label=_("site"),
        required=False,
        help_text=_("Where the engineer keeps on-site duty."),
    )
    event = forms.CharField(
        label=_("event"),
        max_length=200,
        required=False,
        help_text=_("For event duty: the meeting or activity."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = branch_engineers(branch)
        self.fields["engineer"].label_from_instance = _person
        self.fields["site"].queryset = _sites(branch)
        self.fields["site"].label_from_instance = str


class EventForm(forms.Form):
    name = forms.CharField(label=_("event"), max_length=200)
    starts_at = forms.DateTimeField(label=_("from"), widget=_MOMENT)
    ends_at = forms.DateTimeField(label=_("to"), widget=_MOMENT)
    site = forms.ModelChoiceField(Site.objects.none(), label=_("site"), required=False)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = _sites(branch)
        self.fields["site"].label_from_instance = str
