"""Customer-supplied HTML is sanitised once, when stored, and never rendered raw."""

from __future__ import annotations

import nh3

_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
}


# Built once: nh3.clean builds its sanitiser from the options on every call.
_CLEANER = nh3.Cleaner(
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto", "cid", "tel"},
    link_rel="noopener noreferrer nofollow",
)


def sanitise(html: str) -> str:
    if not html:
        return ""
    return _CLEANER.clean(html)
