from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from litso.workspace.templatetags.workspace import form_field


class Example(forms.Form):
    name = forms.CharField(label="Name <b>", help_text="Say <who>", max_length=5)


def test_a_field_shows_its_label_widget_help_and_escaped_errors() -> None:
    form = Example(data={"name": "<script>toolong"})
    assert not form.is_valid()
    html = str(form_field(form["name"]))
    assert html.startswith('<div class="field has-error">')
    assert '<label for="id_name">Name &lt;b&gt;</label>' in html
    assert '<input type="text" name="name" value="&lt;script&gt;toolong"' in html
    assert '<small class="help">Say &lt;who&gt;</small>' in html
    assert '<p class="error" id="id_name-error">Ensure this value has at most 5' in html
    assert "<script>" not in html
    assert html.endswith("</div>")


def test_a_valid_field_has_no_error_mark_and_a_missing_one_shows_nothing() -> None:
    html = Template("{% load workspace %}{% form_field form.name %}|{% form_field form.nope %}")
    out = html.render(Context({"form": Example()}))
    shown, missing = out.split("|")
    assert shown.startswith('<div class="field">')
    assert "error" not in shown
    assert missing == ""


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Warsaw", "America/New_York"])
def test_time_filters_write_what_djangos_date_filter_writes(language: str, zone: str) -> None:
    moments = [
        datetime.datetime(2026, 1, 5, 23, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 9, 11, 15, 59, 123456, tzinfo=datetime.UTC),
    ]
    ours = Template(
        "{% load workspace %}{{ m|short_datetime }}|{{ m|short_date }}|{{ m|iso_datetime }}"
    )
    django = Template('{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ m|date:"SHORT_DATE_FORMAT" }}|'
                      '{{ m|date:"c" }}')  # fmt: skip
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in [*moments, None]:
            context = Context({"m": moment})
            assert ours.render(context) == django.render(context)


def test_form_errors_shows_the_forms_own_errors_escaped() -> None:
    class Form(forms.Form):
        name = forms.CharField()

        def clean(self) -> dict[str, object]:
            raise forms.ValidationError("<b>No</b> & never")

    form = Form(data={"name": "x"})
    assert not form.is_valid()
    html = Template("{% load workspace %}{% form_errors form %}").render(Context({"form": form}))
    assert html == '<p class="error">&lt;b&gt;No&lt;/b&gt; &amp; never</p>'
    assert Template("{% load workspace %}{% form_errors form %}").render(Context({})) == ""
    assert (
        Template("{% load workspace %}{% form_errors form %}").render(Context({"form": Form()}))
        == ""
    )
