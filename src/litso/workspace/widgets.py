"""A <select> written in Python.

Django renders every <option> through a template include; the inbox's filter and bulk forms
have about a hundred options, and rendering them cost more than all the page's queries. The
HTML is the same as ``forms.Select``'s but for blank lines (the tests compare them).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECTED = mark_safe(" selected")


class FastSelect(forms.Select):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        # Through iter(): list() of a model field's choices first asks the database for len().
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's way
        chosen = set(self.format_value(value))
        rows = []
        selected_one = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not selected_one and text in chosen
            selected_one = selected_one or selected
            rows.append((text, SELECTED if selected else "", label))
        options = format_html_join("\n  ", '<option value="{}"{}>{}</option>', rows)
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        return format_html("<select{}>\n  {}\n</select>", flatatt(final), options)


class FastForm(forms.Form):
    """A form whose plain selects are FastSelects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs)
                fast.is_required = field.widget.is_required
                field.widget = fast
                if isinstance(field, forms.ChoiceField):
                    fast.choices = field.choices  # type: ignore[assignment]  # as ChoiceField does
