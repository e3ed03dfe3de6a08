"""Chat message bodies: markdown → HTML sanitised to Owncast's allow-list (reference §2.5).

Owncast's web client sends custom emoji as raw `<img>` tags inside the markdown, so raw HTML is
parsed and then sanitised: links (`http`/`https` only) get `rel="noreferrer"` and
`target="_blank"`; `br`, `strong`, `em`, `code` and `pre` stay; paragraphs keep only their
content; `img` survives only as a custom emoji (`alt`/`title` like `:name:`, `class` starting
with `emoji`, and `src` exactly `/img/emoji/` + a file name of the emoji upload charset, optionally
under pack directories of the same charset). Every path segment starts with a letter or digit and
nothing is percent-encoded, so no browser can normalise the src out of `/img/emoji/` (`%2e%2e`, a
backslash, `//`, `?`): an emoji can only ever load an emoji, never GET an admin action.
Everything else is text.
"""

from __future__ import annotations

import functools
import re

import nh3
from markdown_it import MarkdownIt

from owncastd.core.markdown import render_page_markdown

EMOJI_PREFIX = "/img/emoji/"
ALLOWED_TAGS = {"a", "br", "strong", "em", "code", "pre", "img"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "title", "class"}}
# One segment: like an uploaded emoji's name (http/emoji.py), ASCII only.
_EMOJI_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_EMOJI_SRC = re.compile(rf"/img/emoji/{_EMOJI_SEGMENT}(?:/{_EMOJI_SEGMENT}){{0,3}}")
_SHORTCODE = re.compile(r"^:[\w+ -]{1,64}:$")
_EMOJI_CLASS = re.compile(r"^emoji[\w -]*$")
_ABSOLUTE_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)


@functools.cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "html": True, "breaks": False})
    md.enable(["linkify", "strikethrough"])
    if md.linkify is not None:
        md.linkify.set({"fuzzy_email": False})
    # Headings, lists, quotes and rules are not chat: keep them as plain text.
    md.disable(["heading", "lheading", "list", "blockquote", "hr", "table"], ignoreInvalid=True)
    return md


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a":
        if attribute == "href":
            return value if _ABSOLUTE_URL.match(value) else None
        if attribute == "target":
            return "_blank"
        if attribute == "rel":
            return "noreferrer"
        return None  # no title, lang, style or handlers
    if tag == "img":
        if attribute == "src":
            return value if _EMOJI_SRC.fullmatch(value) else None
        if attribute in ("alt", "title"):
            return value if _SHORTCODE.match(value) else None
        if attribute == "class":
            return value if _EMOJI_CLASS.match(value) else None
        return None
    return value


def sanitize_chat_html(html: str) -> str:
    """Reduce HTML to the chat allow-list; images that are not emoji disappear."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        link_rel="noreferrer",
        url_schemes={"http", "https"},
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
    # Filtered values cannot contain ">" (see the patterns above), so these are safe to match.
    cleaned = _LINK_WITHOUT_HREF.sub(r"\1", cleaned)
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


def render_chat_body(text: str) -> str:
    """Render a user's markdown and sanitise it; "" means there is nothing to send."""
    if not text.strip():
        return ""
    return sanitize_chat_html(_parser().render(text))


def render_notice(markdown: str) -> str:
    """Server and integration notices (SYSTEM, CHAT_ACTION): page markdown, sanitised."""
    return render_page_markdown(markdown)


def escape_markdown(text: str) -> str:
    """Make a user-controlled string (a display name) literal inside a markdown notice."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)
