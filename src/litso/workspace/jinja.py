"""The Jinja2 environment of the workspace's pages (settings.TEMPLATES, first backend).

Django's template engine spent a node render per tag and variable (an include per timeline
entry, ``{% with %}``, ``{% translate %}``); Jinja2 compiles templates to Python. The filters
and helpers are the ones the Django templates used (``templatetags/workspace.py``,
``django.template.defaultfilters``), so both write the same text. Mail and the admin stay on
Django templates (the second backend). The msgids the templates use are listed for
makemessages in ``jinja_strings.py`` (``litso manage jinja_strings``).
"""

from __future__ import annotations

import functools
import time
from typing import Any

import jinja2
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import defaultfilters
from django.template.backends.utils import csrf_input
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language, gettext, ngettext
from markupsafe import Markup

from litso.workspace.templatetags import workspace as tags


def translate(message: str, /, **variables: Any) -> Markup:
    """``_("Assigned to %(name)s", name=x)``: what Jinja2's newstyle gettext returns (the
    translation trusted as markup, as ``{% blocktranslate %}`` trusted it; the variables
    escaped into it; "%%" a plain "%"), without its two ``Context.call``s a string (they made
    a string cost twice what the lookup does)."""
    text = Markup(gettext(message))  # noqa: S704 (translations are ours, checked by a test)
    return text % variables if variables or "%" in text else text


def translate_plural(singular: str, plural: str, count: int, /, **variables: Any) -> Markup:
    """``ngettext("Chased once", "Chased %(count)s times", n, count=n)``, as ``translate``."""
    text = Markup(ngettext(singular, plural, count))  # noqa: S704 (as in translate)
    return text % {"num": count, **variables}


def csrf(request: HttpRequest) -> dict[str, Any]:
    """``csrf_input`` and ``csrf_token`` worked out once a page, when first printed. The
    backend's own are lazy objects that mask the token anew each time one is printed (60 µs;
    a ticket page prints eleven). Django templates also used one token a page."""
    return {
        "csrf_input": SimpleLazyObject(functools.partial(csrf_input, request)),
        "csrf_token": SimpleLazyObject(functools.partial(get_token, request)),
    }


def url(name: str, *args: Any) -> str:
    """``{% url name arg … %}``, each answer kept per process: the URLconf does not change
    while it runs and has no per-language patterns, and the script prefix is in the key.
    Reversing anew took about 15 µs a link, and an inbox prints about forty."""
    try:
        return _reverse(get_script_prefix(), name, args)
    except TypeError:  # an argument that cannot be a key
        return reverse(name, args=args)


@functools.lru_cache(maxsize=4096)
def _reverse(prefix: str, name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, args=args)


def epoch_seconds() -> int:
    """``{% now "U" %}``. Not called ``now``: pages pass a ``now`` of their own."""
    return int(time.time())


def date(value: Any, arg: str | None = None) -> str:
    """``|date``: in the active time zone first, as Django templates convert a value for the
    filters that expect local time."""
    return defaultfilters.date(template_localtime(value), arg)


def linebreaksbr(text: Any) -> SafeString:
    """``|linebreaksbr`` as in an autoescaping Django template: escaped, then ``<br>``."""
    return defaultfilters.linebreaksbr(text, autoescape=True)


def form_errors(form: Any) -> SafeString:
    """``{% form_errors form %}``; a missing form shows nothing."""
    return tags.form_errors(None if isinstance(form, jinja2.Undefined) else form)


def environment(**options: Any) -> jinja2.Environment:
    # Missing attributes render empty and are false, as in Django templates, also further
    # down a chain (ticket.sla.policy of a ticket without a clock) and in DEBUG (Django's
    # backend would print them as "{{ … }}" there).
    options["undefined"] = jinja2.ChainableUndefined
    # A template's last newline is kept, as Django's engine keeps it (an include ends a line).
    options["keep_trailing_newline"] = True
    # The extension gives Environment.extract_translations (jinja_strings.py); the globals it
    # installs are replaced by the same functions without its per-call overhead.
    options.pop("autoescape", None)
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        _=translate,
        gettext=translate,
        ngettext=translate_plural,
        url=url,
        static=static,
        get_current_language=get_language,
        epoch_seconds=epoch_seconds,
        form_field=tags.form_field,
        form_errors=form_errors,
    )
    env.filters.update(
        agent_name=tags.agent_name,
        actor_name=tags.actor_name,
        countdown=tags.countdown,
        deadline_label=tags.deadline_label,
        event_text=tags.event_text,
        filesize=tags.filesize,
        short_datetime=tags.short_datetime,
        short_date=tags.short_date,
        iso_datetime=tags.iso_datetime,
        linebreaksbr=linebreaksbr,
        floatformat=defaultfilters.floatformat,
        date=date,
        timesince=defaultfilters.timesince_filter,
        default_if_none=defaultfilters.default_if_none,
    )
    return env
