"""HTML bodies: a readable plain-text rendering and a sanitised copy for display."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

_SKIP = {"script", "style", "head", "title", "template", "noscript", "xml"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "dl"}
_BLOCK = {
    "div",
    "li",
    "tr",
    "dt",
    "dd",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "address",
    "center",
    "form",
    "fieldset",
    "figure",
    "figcaption",
    "main",
    "nav",
    "aside",
    "caption",
    "details",
    "summary",
    "blockquote",
    "body",
    "html",
}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr"}
_INLINE_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u200b]+")

_SAFE_STYLE = {
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "text-decoration",
    "text-align",
    "vertical-align",
    "white-space",
    "line-height",
    "margin",
    "margin-left",
    "margin-right",
    "margin-top",
    "margin-bottom",
    "padding",
    "padding-left",
    "padding-right",
    "padding-top",
    "padding-bottom",
    "border",
    "border-left",
    "border-right",
    "border-top",
    "border-bottom",
    "border-collapse",
    "width",
    "height",
    "max-width",
    "list-style-type",
    "direction",
}


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text)
        self.current: list[str] = []
        self.depth = 0
        self.skip = 0
        self.pre = 0
        self.links: list[str | None] = []
        self.link_text: list[int] = []  # position in current line where a link began
        self.pending_blank = False

    # --- line handling -------------------------------------------------------------
    def _flush(self) -> None:
        text = "".join(self.current).rstrip()
        self.current = []
        if text or self.pre:
            if self.pending_blank and self.lines and self.lines[-1][1]:
                self.lines.append((self.depth, ""))
            self.pending_blank = False
            self.lines.append((self.depth, text))

    def _newline(self) -> None:
        if self.current and "".join(self.current).strip():
            self._flush()
        else:
            self.current = []

    def _blank(self) -> None:
        self._newline()
        self.pending_blank = True

    # --- parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
            return
        if self.skip:
            return
        attributes = dict(attrs)
        if tag == "br":
            if self.current:
                self._flush()
            else:
                self.lines.append((self.depth, ""))
        elif tag == "blockquote":
            self._newline()
            self.depth += 1
        elif tag == "p" and "msonormal" in (attributes.get("class") or "").lower():
            self._newline()  # Outlook writes one <p> per line; blank lines would double-space
        elif tag in _PARAGRAPH:
            self._blank()
            if tag == "pre":
                self.pre += 1
        elif tag in _BLOCK:
            self._newline()
            if tag == "li":
                self.current.append("- ")
            if tag == "hr":
                self.lines.append((self.depth, "-" * 20))
        elif tag in ("td", "th"):
            if self.current and not "".join(self.current).endswith(" "):
                self.current.append(" ")
        elif tag == "a":
            self.links.append(attributes.get("href"))
            self.link_text.append(len("".join(self.current)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "blockquote":
            self._newline()
            self.depth = max(0, self.depth - 1)
        elif tag in _PARAGRAPH:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._blank()
        elif tag in _BLOCK:
            self._newline()
        elif tag == "a" and self.links:
            href = self.links.pop()
            start = self.link_text.pop()
            label = "".join(self.current)[start:].strip()
            url = (href or "").strip()
            shown = url[7:] if url.lower().startswith("mailto:") else url
            if (
                url
                and label
                and shown not in label
                and not url.startswith(("#", "javascript:", "cid:"))
            ):
                self.current.append(f" ({url})")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            lines = data.replace("\r\n", "\n").split("\n")
            for index, line in enumerate(lines):
                if index:
                    self._flush()
                self.current.append(line)
            return
        text = _INLINE_SPACE.sub(" ", data)
        if not self.current or "".join(self.current).endswith(" "):
            text = text.lstrip(" ")
        if text:
            self.current.append(text)

    def finish(self) -> str:
        self._newline()
        out: list[str] = []
        for depth, text in self.lines:
            out.append(f"{'>' * depth} {text}".rstrip() if depth else text)
        result = "\n".join(out).strip("\n")
        return re.sub(r"\n{3,}", "\n\n", result)


def html_to_text(markup: str) -> str:
    """Plain text for an HTML body: blocks become lines, links ``text (url)``,
    blockquotes ``> `` quotes so reply splitting works on HTML-only mail."""
    builder = _TextBuilder()
    try:
        builder.feed(markup)
        builder.close()
    except Exception:  # HTMLParser is lenient, but the fallback must never fail
        return html.unescape(re.sub(r"<[^>]*>", " ", markup)).strip()
    return builder.finish()


def _make_cleaner() -> nh3.Cleaner:
    attributes = {tag: set(allowed) for tag, allowed in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes.setdefault("*", set()).update({"style", "dir", "lang", "title"})
    attributes.setdefault("td", set()).update({"width", "valign", "bgcolor"})
    attributes.setdefault("table", set()).update({"width", "cellpadding", "cellspacing", "border"})
    attributes.setdefault("font", set()).update({"color", "face", "size"})
    return nh3.Cleaner(
        tags=set(nh3.ALLOWED_TAGS) | {"font"},
        clean_content_tags={"script", "style", "head", "title", "template", "noscript"},
        attributes=attributes,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        filter_style_properties=_SAFE_STYLE,
    )


# Built once: nh3.clean builds its sanitiser from the options on every call, which cost
# twice the cleaning itself.
_CLEANER = _make_cleaner()


def sanitise_html(markup: str) -> str:
    """Safe HTML for the agent's screen; ``cid:`` image URLs survive for inline images."""
    return _CLEANER.clean(markup)


def text_to_html(text: str) -> str:
    escaped = html.escape(text)
    return f'<div style="white-space: pre-wrap">{escaped}</div>'
