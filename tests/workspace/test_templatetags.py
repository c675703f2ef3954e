from __future__ import annotations

from django import forms
from django.template import Context, Template

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
