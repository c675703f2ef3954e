"""The Jinja2 environment writes what the Django templates wrote."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import jinja2
import pytest
from django.template import Context, Template, engines
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from litso.tickets.models import Ticket

ENV: jinja2.Environment = engines["jinja2"].env  # type: ignore[attr-defined]


def jinja(source: str, **context: object) -> str:
    return ENV.from_string(source).render(**context)


def django(source: str, **context: object) -> str:
    return Template("{% load i18n workspace %}" + source).render(Context(context))


def newstyle() -> jinja2.Environment:
    """Jinja2's own newstyle gettext, which ``translate`` stands in for."""
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
@pytest.mark.parametrize(
    "source",
    [
        '{{ _("Inbox") }}',
        '{{ _("The router\'s guess") }}',
        '{{ _("Updates: %%(count)s") }}',
        '{{ _("Assigned to %(name)s", name=who) }}',
        '{{ _("Address as: <strong>%(name)s</strong>", name=who) }}',
        '{{ ngettext("Chased once", "Chased %(count)s times", n, count=n) }}',
        '{{ ngettext("%(count)s ticket found.", "%(count)s tickets found.", n, count=n) }}',
    ],
)
def test_translate_writes_what_jinjas_newstyle_gettext_writes(language: str, source: str) -> None:
    with translation.override(language):
        for n in (1, 3, 5):
            ours = jinja(source, who='<b>O\'Neil & "Co"</b>', n=n)
            assert ours == newstyle().from_string(source).render(who='<b>O\'Neil & "Co"</b>', n=n)
    assert "<b>" not in ours


@pytest.mark.parametrize("language", ["ru", "pl"])
def test_template_strings_are_translated_as_django_templates_did(language: str) -> None:
    who = "<i>Anna</i>"
    with translation.override(language):
        assert jinja('{{ _("Reply to the customer") }}') == django(
            '{% translate "Reply to the customer" %}'
        )
        assert jinja('{{ _("Updates: %%(count)s") }}') == django(
            "{% translate 'Updates: %(count)s' %}"
        )
        assert jinja('{{ _("Assigned to %(name)s", name=who) }}', who=who) == django(
            "{% blocktranslate with name=who %}Assigned to {{ name }}{% endblocktranslate %}",
            who=who,
        )
        translated = jinja('{{ _("Reply to the customer") }}')
    assert translated != "Reply to the customer"


def test_filters_write_what_djangos_filters_write() -> None:
    moment = datetime.datetime(2026, 1, 5, 23, 7, 3, tzinfo=datetime.UTC)
    earlier = moment - datetime.timedelta(days=2, hours=3)
    text = "Hello <b>you</b>\nsecond line & more"
    cases = [
        ("{{ t|linebreaksbr }}", "{{ t|linebreaksbr }}"),
        ("{{ s|floatformat(2) }}", "{{ s|floatformat:2 }}"),
        ('{{ m|date("TIME_FORMAT") }}', '{{ m|date:"TIME_FORMAT" }}'),
        ("{{ e|timesince(m) }}", "{{ e|timesince:m }}"),
        ("{{ m|short_datetime }}|{{ m|short_date }}", "{{ m|short_datetime }}|{{ m|short_date }}"),
        ("{{ m|iso_datetime }}", "{{ m|iso_datetime }}"),
        ("{{ b|filesize }}", "{{ b|filesize }}"),
        ('{{ v|default_if_none("") }}|{{ z|default_if_none("") }}',
         '{{ v|default_if_none:"" }}|{{ z|default_if_none:"" }}'),
    ]  # fmt: skip
    context = {"t": text, "s": 0.8765, "m": moment, "e": earlier, "b": 2_500_000, "v": None, "z": 0}
    with translation.override("pl"), timezone.override(zoneinfo.ZoneInfo("Europe/Warsaw")):
        for ours, theirs in cases:
            assert jinja(ours, **context) == django(theirs, **context), ours
    # |date converts to the active time zone first, as Django's filter expects.
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert jinja('{{ m|date("H:i") }}', m=moment) == "08:07"


def test_missing_attributes_render_empty_down_a_chain() -> None:
    class Thing:
        name = "x"

    assert jinja("[{{ t.sla.policy.name }}][{{ t.name }}]", t=Thing()) == "[][x]"
    assert jinja("{% if t.sla.policy %}yes{% else %}no{% endif %}", t=Thing()) == "no"
    assert jinja("[{{ form_errors(nothing) }}][{{ form_field(nothing.name) }}]") == "[][]"


def test_a_page_prints_one_csrf_token_that_is_accepted(desk) -> None:
    client = Client(enforce_csrf_checks=True)
    ticket: Ticket = desk.open()
    client.force_login(desk.agent_a)
    html = client.get(f"/t/{ticket.number}/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) > 5
    assert len(set(tokens)) == 1
    posted = client.post(
        f"/t/{ticket.number}/note/", {"body": "Checked.", "csrfmiddlewaretoken": tokens[0]}
    )
    assert posted.status_code == 302
    refused = client.post(f"/t/{ticket.number}/note/", {"body": "No token."})
    assert refused.status_code == 403


def test_url_is_reverse_kept_per_script_prefix() -> None:
    from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

    from litso.workspace import jinja

    assert jinja.url("workspace:inbox") == reverse("workspace:inbox")
    assert jinja.url("workspace:ticket", 1042) == reverse("workspace:ticket", args=[1042])
    before = get_script_prefix()
    try:
        # Served under a sub-path (SCRIPT_NAME): the links follow it, not a kept answer.
        set_script_prefix("/desk/")
        assert jinja.url("workspace:ticket", 1042) == reverse("workspace:ticket", args=[1042])
        assert jinja.url("workspace:ticket", 1042) == "/desk/t/1042/"
    finally:
        set_script_prefix(before)
    assert jinja.url("workspace:ticket", 1042) == reverse("workspace:ticket", args=[1042])
    # An argument that cannot be a key is reversed as before.
    with pytest.raises(NoReverseMatch):
        jinja.url("workspace:ticket", [1042])
