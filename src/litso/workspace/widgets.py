"""Form widgets written in Python: <select>, <input> and <textarea>.

Django renders every widget through templates, and every <option> through a template include;
the inbox's filter and bulk forms have about a hundred options and a dozen fields, and
rendering them cost more than all the page's queries. The HTML is the same as Django's but
for blank lines and the order of attributes (the tests compare them).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _listed(choices: Any) -> list[Any]:
    if isinstance(choices, ModelChoiceIterator):
        # Its own iteration reads the rows through QuerySet.iterator(): on PostgreSQL a
        # server-side cursor, three round trips (DECLARE, FETCH, CLOSE) for a few rows.
        empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
        return empty + [choices.choice(obj) for obj in choices.queryset.all()]
    # Through iter(): list() of other lazy choices may first ask for len().
    return list(iter(choices))


class FastSelect(forms.Select):
    def listed(self) -> list[Any]:
        """The choices, read once: a model field's choices are a query each time they are
        iterated, and Django iterates them twice (``use_required_attribute``, ``render``)."""
        kept = self.__dict__.get("_listed")
        if kept is None or kept[0] is not self.choices:
            kept = (self.choices, _listed(self.choices))
            self.__dict__["_listed"] = kept
        return kept[1]

    def use_required_attribute(self, initial: Any) -> bool:
        # Select's, with the first choice taken from the list already read.
        if not forms.Widget.use_required_attribute(self, initial):
            return False
        if self.allow_multiple_selected:
            return True
        choices = self.listed()
        return bool(choices) and self._choice_has_empty_value(choices[0])  # type: ignore[attr-defined]

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        choices = self.listed()
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's way
        chosen = set(self.format_value(value))
        # Written with html.escape, not format_html per option: the inbox's ~100 options cost
        # three conditional_escape calls and a mark_safe each (about half its widgets' time).
        rows = []
        selected_one = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not selected_one and text in chosen
            selected_one = selected_one or selected
            shown = label.__html__() if hasattr(label, "__html__") else escape(str(label))
            rows.append(
                f'<option value="{escape(text)}"{" selected" if selected else ""}>{shown}</option>'
            )
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        options = "\n  ".join(rows)
        return mark_safe(f"<select{flatatt(final)}>\n  {options}\n</select>")  # noqa: S308 - escaped above


INPUT = "django/forms/widgets/input.html"
TEXTAREA = "django/forms/widgets/textarea.html"


def _attrs(attrs: dict[str, Any]) -> SafeString:
    # As django/forms/widgets/attrs.html: in order; True writes the name alone, False nothing.
    return format_html_join(
        "",
        " {}{}",
        ((name, "" if value is True else format_html('="{}"', value))
         for name, value in attrs.items() if value is not False),
    )  # fmt: skip


class FastInputMixin:
    """Renders an ``Input`` or ``Textarea`` from its ``get_context``, without a template."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        if widget["template_name"] == TEXTAREA:
            return format_html(
                '<textarea name="{}"{}>\n{}</textarea>',
                widget["name"],
                _attrs(widget["attrs"]),
                widget["value"] or "",
            )
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            _attrs(widget["attrs"]),
        )


# Django's templates that only include input.html: the <input> is all they write.
_PLAIN = (
    INPUT,
    TEXTAREA,
    *(f"django/forms/widgets/{kind}.html"
      for kind in ("text", "number", "email", "url", "password", "hidden", "search", "tel",
                   "checkbox", "date", "datetime", "time")),
)  # fmt: skip
_fast_classes: dict[type[forms.Widget], type[forms.Widget]] = {}


def fast_widget(widget: forms.Widget) -> forms.Widget:
    """The same widget, written by ``FastInputMixin`` when Django would render it with one of
    the plain templates; a widget with a template of its own is left as it is."""
    if widget.template_name not in _PLAIN:
        return widget
    cls = type(widget)
    if cls not in _fast_classes:
        _fast_classes[cls] = type(f"Fast{cls.__name__}", (FastInputMixin, cls), {})
    widget.__class__ = _fast_classes[cls]
    return widget


class FastForm(forms.Form):
    """A form whose plain selects are FastSelects and plain inputs are written in Python."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = fast_widget(field.widget)
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs)
                fast.is_required = field.widget.is_required
                field.widget = fast
                if isinstance(field, forms.ChoiceField):
                    fast.choices = field.choices  # type: ignore[assignment]  # as ChoiceField does
