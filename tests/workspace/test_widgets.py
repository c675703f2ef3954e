"""FastSelect writes the same <select> as Django's Select, without a template per option."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from litso.departments.models import Department
from litso.workspace.widgets import FastForm, FastSelect, fast_widget

CHOICES = [
    ("", "Any"), ("a", "A & <b>"), ("1", "one"), ("2", "two"),
    ('q"<', mark_safe("<i>trusted</i>")), ("lazy", gettext_lazy("Inbox")),
]  # fmt: skip


def normal(html: str) -> str:
    """Blank lines and attribute order aside."""
    html = re.sub(r"\s*\n\s*", "", html)
    return re.sub(r"<select([^>]*)>", lambda m: f"<select {' '.join(sorted(m[1].split()))}>", html)


@pytest.mark.parametrize("value", [None, "", "a", 1, "2", "missing", 'q"<'])
def test_same_html_as_django(value: Any) -> None:
    attrs = {"id": "id_field", "required": True, "class": "x"}
    expected = forms.Select(choices=CHOICES).render("field", value, attrs)
    got = FastSelect(choices=CHOICES).render("field", value, attrs)
    assert normal(got) == normal(expected)
    assert "&lt;b&gt;" in got
    assert "<b>" not in got
    assert "<i>trusted</i>" in got
    assert 'value="q&quot;&lt;"' in got


def test_option_groups_are_left_to_django() -> None:
    grouped = [("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "X")]
    got = FastSelect(choices=grouped).render("f", "pear")
    assert "<optgroup" in got
    assert 'value="pear" selected' in got


class Example(FastForm):
    colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")])
    department = forms.ModelChoiceField(queryset=Department.objects.order_by("name"))
    note = forms.CharField(required=False)


@pytest.mark.django_db
def test_a_fast_form_renders_model_choices_in_one_query(desk, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    form = Example(initial={"colour": "g", "department": desk.dept_b.pk})
    assert isinstance(form.fields["colour"].widget, FastSelect)
    assert isinstance(form.fields["department"].widget, FastSelect)
    with django_assert_num_queries(1):  # no COUNT before the rows
        html = str(form["department"])
    assert f'<option value="{desk.dept_b.pk}" selected>{desk.dept_b.name}</option>' in html
    assert '<option value="g" selected>Green</option>' in str(form["colour"])
    bound = Example(data={"colour": "r", "department": str(desk.dept_a.pk)})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["department"] == desk.dept_a


def normal_tag(html: str) -> str:
    """Blank lines and attribute order aside: the tag name, then its sorted attributes."""
    html = re.sub(r"\s*\n\s*", "", html)

    def tag(match: re.Match[str]) -> str:
        attributes = re.findall(r'[\w-]+(?:="[^"]*")?', match[2])
        return f"<{match[1]} {' '.join(sorted(attributes))}>"

    return re.sub(r"<(input|textarea)([^>]*)>", tag, html)


WIDGETS = [
    forms.TextInput(attrs={"maxlength": 64, "placeholder": 'Say "hi" <b>'}),
    forms.NumberInput(attrs={"min": 0}),
    forms.EmailInput(),
    forms.HiddenInput(),
    forms.PasswordInput(),
    forms.PasswordInput(render_value=True),
    forms.CheckboxInput(),
    forms.Textarea(attrs={"rows": 3}),
    forms.DateInput(),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", [None, "", "C:\\Users\\new.log & <script>", 7, True, False])
def test_fast_inputs_write_what_django_writes(widget: forms.Widget, value: Any) -> None:
    import copy

    attrs = {"id": "id_f", "required": True, "disabled": False, "aria-describedby": "x"}
    expected = copy.deepcopy(widget).render("f", value, attrs)
    fast = fast_widget(copy.deepcopy(widget))
    assert type(fast).__name__ == f"Fast{type(widget).__name__}"
    got = fast.render("f", value, attrs)
    assert normal_tag(got) == normal_tag(expected)
    assert "<script>" not in got


def test_widgets_with_templates_of_their_own_are_left_alone() -> None:
    radio = forms.RadioSelect(choices=CHOICES)
    assert fast_widget(radio) is radio
    assert type(radio) is forms.RadioSelect
    assert isinstance(Example().fields["note"].widget, forms.TextInput)
    assert type(Example().fields["note"].widget).__name__ == "FastTextInput"


@pytest.mark.django_db
def test_a_model_select_asks_the_database_once_for_required_and_options(
    desk, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    class Required(FastForm):
        department = forms.ModelChoiceField(queryset=Department.objects.order_by("name"))
        optional = forms.ModelChoiceField(queryset=Department.objects.all(), required=False)
        blank_first = forms.ChoiceField(choices=[("", "Pick"), ("a", "A")])

    form = Required()
    with django_assert_num_queries(1):
        html = str(form["department"])
    # A blank first choice ("---------") makes the select required, as Django decides.
    assert " required" in html
    with django_assert_num_queries(1):
        assert " required" not in str(form["optional"])
    assert " required" in str(form["blank_first"])
    no_blank = Required()
    no_blank.fields["department"].empty_label = None
    no_blank.fields["department"].widget.choices = no_blank.fields["department"].choices
    assert " required" not in str(no_blank["department"])
