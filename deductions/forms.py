from django import forms
from django.utils.translation import gettext_lazy as _


class ThirdPartyRepairForm(forms.Form):
    ticket = forms.CharField(
        label=_("ticket number"), max_length=20, help_text=_("A late ticket of this contract.")
    )
    company = forms.CharField(label=_("repaired by"), max_length=200)
    cost = forms.DecimalField(label=_("cost (CNY)"), min_value=0, max_digits=14, decimal_places=2)
    repaired_on = forms.DateField(
        label=_("repaired on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    invoice = forms.FileField(label=_("invoice"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)
