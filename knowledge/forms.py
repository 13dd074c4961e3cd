"""The knowledge pages' forms. They read what was typed; the services decide (and their
refusals come back beside the fields, everything typed kept)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge.models import Article


class ArticleForm(forms.Form):
    TEXT = ("title", "product", "model", "symptom", "cause", "steps", "prevention")

    title = forms.CharField(label=_("title"), max_length=200)
    product = forms.CharField(
        label=_("product"),
        max_length=200,
        required=False,
        help_text=_("The covered item's name, as on its contract."),
    )
    model = forms.CharField(
        label=_("model"), max_length=100, required=False, help_text=_("The covered item's model.")
    )
    symptom = forms.CharField(
        label=_("symptom"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    cause = forms.CharField(
        label=_("cause"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    steps = forms.CharField(
        label=_("steps"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One step per line, in order."),
    )
    prevention = forms.CharField(
        label=_("preventive measures"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_public = forms.BooleanField(
        label=_("public"),
        required=False,
        help_text=_("Customers read it in the portal once published."),
    )
    source_ticket = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    publish = forms.BooleanField(label=_("publish now"), required=False)

    def __init__(self, *args, can_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]


class SearchForm(forms.Form):
    """The list's search and filters; anything unreadable is ignored rather than refused."""

    q = forms.CharField(
        label=_("search"),
        required=False,
        # No limit here: the search reads the first characters only (selectors).
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("symptom, cause, product, model")}
        ),
    )
    product = forms.ChoiceField(label=_("product"), required=False)
    state = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", _("any")), *Article.State.choices]
    )

    def __init__(self, *args, products=(), show_state: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("any")), *((p, p) for p in products)]
        if not show_state:
            del self.fields["state"]

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
        }
