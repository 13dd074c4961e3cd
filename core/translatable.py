"""Messages kept untranslated until read, so each reader gets them in their own language.

A notification is written once (by the sweep, a reminder, a survey) and read
later, on a page, through the API or in an e-mail, by people who may read
another language than the one active when it was written. So it is kept as
its source: the msgid gettext looks up and the parameters, and rendered when
read. A parameter that is itself translatable (the label of a choice, a tier)
is kept as its msgid as well.

Translatable parts are given as `gettext_lazy` texts. A plain `str` is final
text (typed by a person, or a name): kept and shown as it is, never formatted.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

Text = str | Promise


def _stored(value):
    """A lazy text as {"msgid": ...}; any other value (JSON) as it is."""
    if isinstance(value, Promise):
        # With translation off, a lazy text evaluates to its msgid.
        with translation.override(None):
            return {"msgid": str(value)}
    return value


def _loaded(value):
    if isinstance(value, dict) and set(value) == {"msgid"}:
        return gettext_lazy(value["msgid"])
    return value


@dataclass(frozen=True)
class Message:
    """A title and a body with the parameters both are formatted with."""

    title: Text
    body: Text = ""
    params: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "title": _stored(self.title),
            "body": _stored(self.body),
            "params": {name: _stored(value) for name, value in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "Message":
        params = {name: _loaded(value) for name, value in data.get("params", {}).items()}
        return cls(_loaded(data.get("title", "")), _loaded(data.get("body", "")), params)

    def title_text(self) -> str:
        """The title in the active language."""
        return self._render(self.title)

    def body_text(self) -> str:
        """The body in the active language."""
        return self._render(self.body)

    def _render(self, text: Text) -> str:
        if not isinstance(text, Promise):
            return text
        if not self.params:
            return str(text)
        values = {
            name: str(value) if isinstance(value, Promise) else value
            for name, value in self.params.items()
        }
        return str(text) % values
