from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from contracts.models import CoveredItem, Site
from core.inputs import as_id
from maintenance.models import DowntimeWindow, SoftwareNotice

_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DowntimeForm(forms.Form):
    site = forms.ModelChoiceField(Site.objects.select_related("customer"), label=_("site"))
    items = forms.ModelMultipleChoiceField(
        CoveredItem.objects.none(),
        label=_("covered items"),
        required=False,
        help_text=_("None chosen: the whole site stops."),
    )
    starts_at = forms.DateTimeField(label=_("starts at"), widget=_MOMENT)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=_MOMENT)
    reason = forms.CharField(label=_("reason"), max_length=300)
    work = forms.CharField(
        label=_("work planned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notice_hours = forms.IntegerField(
        label=_("remind this many hours before"), min_value=0, initial=24, required=False
    )

    def __init__(self, *args, site: Site | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].label_from_instance = lambda s: f"{s.customer.name} · {s.name}"
        if site is None and self.is_bound:
            site = Site.objects.filter(pk=as_id(self.data.get("site"))).first()
        if site is not None:
            self.fields["items"].queryset = CoveredItem.objects.filter(customer_id=site.customer_id)
        else:
            self.fields["items"].queryset = CoveredItem.objects.all()


class UpgradePlanForm(forms.Form):
    to_version = forms.CharField(label=_("to version"), max_length=100)
    plan = forms.CharField(
        label=_("upgrade plan"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changes, how it is backed up, how long the system stops, the way back."),
    )
    engineer = forms.ModelChoiceField(User.objects.none(), label=_("engineer"))
    window = forms.ModelChoiceField(
        DowntimeWindow.objects.none(),
        label=_("planned downtime"),
        required=False,
        help_text=_("When the upgrade stops the system, plan the downtime first and choose it."),
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = User.objects.filter(
            groups__name=Role.ENGINEER, is_active=True
        ).order_by("username")
        self.fields["engineer"].label_from_instance = lambda u: u.get_full_name() or u.username
        if item is not None:
            self.fields["window"].queryset = DowntimeWindow.objects.filter(
                customer_id=item.customer_id, state=DowntimeWindow.State.PLANNED
            ).select_related("site")


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )


class RollBackForm(forms.Form):
    reason = forms.CharField(
        label=_("what went wrong"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SoftwareNotice.Kind.choices)
    product = forms.CharField(
        label=_("software"), max_length=200, help_text=_("As the covered items are named.")
    )
    versions = forms.CharField(
        label=_("affected versions"),
        max_length=500,
        required=False,
        help_text=_("Comma-separated; blank: every version."),
    )
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(
        label=_("what it is and what to do"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )


class VersionForm(forms.Form):
    version = forms.CharField(label=_("version"), max_length=100)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
