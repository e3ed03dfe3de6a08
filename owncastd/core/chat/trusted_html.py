"""Trusted chat notices (develop §7.1): SYSTEM and CHAT_ACTION bodies from the server, the admin
and integration token holders.

Owncast renders these with goldmark, raw HTML allowed and no sanitiser, keeping goldmark's
trailing newline (`<p>…</p>\\n`), so a bot's `<a href="…"><u>Click here</u></a>` arrives as a
link. We render the same way but still pass the result through an allow-list, because a token
can leak and a viewer must never run what it sends: paragraphs, line breaks, emphasis (`strong`,
`em`, `b`, `i`, `u`, `s`), code, lists, quotes, links (http, https, mailto or a path on this
server) and images from this server only (a relative path outside `/api/` and `/admin`). Scripts
and styles go with their content, every other element is reduced to its text, and no attribute
but `href`, `src`, `alt` and `title` survives (no handlers, no `style`).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import nh3

from owncastd.core.chat.html_bytes import GOLDMARK_TEXT, reescape

TRUSTED_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "u", "ul",
}  # fmt: skip
TRUSTED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_HREF = re.compile(r"^(?:https?://[^\s]+|mailto:[^\s]+|/(?![/\\])[^\s\\]*)$", re.IGNORECASE)
# A path on this server, segments that cannot be `.`/`..`, nothing encoded, not the admin API.
_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}"
_OWN_IMAGE = re.compile(rf"^/(?!api/|admin(?:/|$)){_SEGMENT}(?:/{_SEGMENT}){{0,7}}$")
_IMG = re.compile(r'<img\b[^>"]*(?:"[^"]*"[^>"]*)*>')
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt  # imported on first use: not at startup


def new_chat_parser() -> MarkdownIt:
    """A fresh CommonMark parser with raw HTML and linkify of http(s) URLs only (goldmark's
    linkify uses xurls.Strict): the base of both chat bodies and notices."""
    from markdown_it import MarkdownIt  # ~0.02 s (with linkify) that startup does not need

    md = MarkdownIt("commonmark", {"linkify": True, "html": True, "breaks": False})
    md.enable("linkify")
    if md.linkify is not None:
        md.linkify.set({"fuzzy_email": False, "fuzzy_link": False, "fuzzy_ip": False})
        for schema in ("ftp:", "mailto:", "//"):  # linkify-it schemas that are not http(s)
            md.linkify.add(schema, None)
    return md


@functools.cache
def _parser() -> MarkdownIt:
    return new_chat_parser()


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _HREF.match(value) else None
    if tag == "img" and attribute == "src":
        return value if _OWN_IMAGE.match(value) else None
    return value or None


def sanitize_trusted_html(html: str) -> str:
    """Reduce trusted HTML to the notice allow-list (whitespace kept as written)."""
    cleaned = nh3.clean(
        html,
        tags=TRUSTED_TAGS,
        attributes=TRUSTED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        link_rel=None,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )
    return reescape(drop_bare_links_and_images(cleaned), GOLDMARK_TEXT)


def drop_bare_links_and_images(cleaned: str) -> str:
    """After nh3 filtered their attributes: a link left without `href` becomes its text, an image
    without `src` disappears (attribute values never hold a bare '"', so the patterns see whole
    tags)."""
    cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
    return _IMG.sub(lambda tag: tag[0] if ' src="' in tag[0] else "", cleaned)


def render_trusted(markdown: str) -> str:
    """Trusted markdown (raw HTML allowed) → allow-listed HTML with goldmark's trailing
    newline; "" for a blank text."""
    if not markdown.strip():
        return ""
    return sanitize_trusted_html(_parser().render(markdown))
