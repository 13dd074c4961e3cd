"""core.widgets.Select writes what Django's select templates write (blank lines aside), so
a form can swap it in without a reader, a browser test or a screen reader seeing a change."""

from django import forms

from core.widgets import Select

CHOICES = [
    ("", "---------"),
    ("a&b", "Tom & <Jerry>"),
    ("Regions", [("north", "北区"), ("south", 'South "quoted"')]),
    (3, "three"),
]


def _lines(html: str) -> list[str]:
    return [line for line in html.splitlines() if line.strip()]


def _both(value, attrs):
    ours = Select(attrs=attrs, choices=CHOICES).render("pick", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("pick", value)
    return _lines(ours), _lines(django)


def test_the_markup_is_django_s_for_every_kind_of_option():
    for value in (None, "a&b", "south", 3, "3"):
        ours, django = _both(value, {"class": "full-width", "data-x": "<y>"})
        assert ours == django


def test_boolean_attributes_are_written_bare_or_left_out():
    ours, django = _both("north", {"required": True, "disabled": False, "id": "id_pick"})
    assert ours == django
    assert " required" in ours[0] and "disabled" not in ours[0]


def test_text_is_escaped():
    html = Select(choices=CHOICES).render("pick", None)
    assert "Tom &amp; &lt;Jerry&gt;" in html
    assert 'value="a&amp;b"' in html
    assert "<Jerry>" not in html
