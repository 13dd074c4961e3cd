from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import CoveredItem, Site
from core.inputs import as_id

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
