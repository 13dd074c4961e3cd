from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch
from spares.models import StockItem


class StockReceiveForm(forms.Form):
    branch = forms.ModelChoiceField(Branch.objects.all(), label=_("branch"))
    name = forms.CharField(label=_("part"), max_length=200)
    model = forms.CharField(
        label=_("model"),
        max_length=100,
        required=False,
        help_text=_("The model of device it fits."),
    )
    serial_number = forms.CharField(
        label=_("serial number"),
        max_length=100,
        required=False,
        help_text=_("Only for a unit tracked one by one."),
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, required=False, initial=1)
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    reorder_level = forms.IntegerField(
        label=_("alert at"),
        min_value=0,
        required=False,
        help_text=_("Managers are told when the stock falls to this quantity (0: never)."),
    )


class PartTakeForm(forms.Form):
    stock_item = forms.ModelChoiceField(StockItem.objects.none(), label=_("part in stock"))
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)

    def __init__(self, *args, stock=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stock is not None:
            self.fields["stock_item"].queryset = stock
        self.fields["stock_item"].label_from_instance = _stock_label


def _stock_label(item: StockItem) -> str:
    place = f" · {item.location}" if item.location else ""
    return f"{item} · {item.branch.name}{place} · {item.quantity}"


class PartSettleForm(forms.Form):
    used = forms.IntegerField(
        label=_("used"), min_value=0, required=False, help_text=_("Blank: all of them.")
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class SubstituteForm(forms.Form):
    device = forms.CharField(label=_("device"), max_length=200)
    model = forms.CharField(label=_("model"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("serial number"), max_length=100, required=False)
    location = forms.CharField(
        label=_("installed where"), max_length=200, help_text=_("Room, rack or desk at the site.")
    )
