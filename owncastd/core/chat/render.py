"""User chat bodies as Owncast renders them (develop §7.1): markdown → HTML → allow-list.

Pipeline: trim, render CommonMark with raw HTML, linkify (http/https only) and custom emoji
shortcodes (no GFM: no tables, no strikethrough), sanitise, trim. A plain `hi` is `<p>hi</p>`.
The allow-list is Owncast's bluemonday policy: `p`, `br`, `strong`, `em`, `code`, `pre`;
`a[href]` with `rel="nofollow noreferrer noopener"` and `target="_blank"`; `img` only as a custom
emoji (any non-empty `alt`/`title`, `class` `emoji…`). Everything else is reduced to its text,
`script`/`style` with their content. Text is escaped as Go writes it (`'` → `&#39;`).

Stricter than Owncast, on purpose: a link must be absolute http(s) (Owncast also keeps relative
and mailto links), and an emoji `src` must be `/img/emoji/` + path segments of the emoji upload
charset, each starting with a letter or digit, nothing percent-encoded. Owncast's pattern
(`^/img/emoji/[^.%]*.[A-Z]*$`) still lets a backslash, `//` or `?` through; ours leaves no way for
a browser to normalise the src out of `/img/emoji/`, so an emoji can only ever load an emoji,
never GET an admin action with the viewer's credentials.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import nh3

from owncastd.core.chat.emoji_catalog import Emoji
from owncastd.core.chat.html_bytes import GO_ATTRIBUTE, GO_TEXT, reescape
from owncastd.core.chat.trusted_html import (
    drop_bare_links_and_images,
    new_chat_parser,
    render_trusted,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt  # imported by the first message: not at startup
    from markdown_it.rules_inline import StateInline

EMOJI_PREFIX = "/img/emoji/"
ALLOWED_TAGS = {"a", "br", "p", "strong", "em", "code", "pre", "img"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "title", "class"}}
LINK_REL = "nofollow noreferrer noopener"
# One segment: like an uploaded emoji's name (http/emoji.py), ASCII only.
_EMOJI_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_EMOJI_SRC = re.compile(rf"/img/emoji/{_EMOJI_SEGMENT}(?:/{_EMOJI_SEGMENT}){{0,3}}")
_EMOJI_CLASS = re.compile(r"^emoji[A-Z_]*$", re.IGNORECASE)
_ABSOLUTE_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_TAGS = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')
_LINK = re.compile(r'<a href="([^"]*)">')
_SHORTCODE = re.compile(r":([A-Za-z0-9_+-]+):")


def emoji_html(emoji: Emoji) -> str:
    """The image goldmark-emoji writes for a custom emoji shortcode."""
    src, code = htmllib.escape(emoji.url), htmllib.escape(f":{emoji.name}:")
    return f'<img src="{src}" class="emoji" alt="{code}" title="{code}">'


def _custom_emoji(state: StateInline, silent: bool) -> bool:
    """Inline rule: `:name:` (any case) for a custom emoji in `env["emoji"]`."""
    if state.src[state.pos] != ":":
        return False
    table = state.env.get("emoji") if isinstance(state.env, dict) else None
    match = _SHORTCODE.match(state.src, state.pos)
    emoji = table.get(match[1].lower()) if table and match else None
    if emoji is None or match is None:
        return False
    if not silent:
        state.push("html_inline", "", 0).content = emoji_html(emoji)
    state.pos = match.end()
    return True


@functools.cache
def _parser() -> MarkdownIt:
    md = new_chat_parser()
    md.inline.ruler.after("linkify", "custom_emoji", _custom_emoji)
    return md


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a":
        return value if attribute == "href" and _ABSOLUTE_URL.match(value) else None
    if tag == "img":
        if attribute == "src":
            return value if _EMOJI_SRC.fullmatch(value) else None
        if attribute in ("alt", "title"):
            return value or None
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
        link_rel=None,
        url_schemes={"http", "https"},
        strip_comments=True,
    )
    cleaned = drop_bare_links_and_images(cleaned)
    # Every link left is absolute: bluemonday's attributes, in its order.
    cleaned = _LINK.sub(rf'<a href="\1" rel="{LINK_REL}" target="_blank">', cleaned)
    cleaned = reescape(cleaned, GO_TEXT, GO_ATTRIBUTE).strip()
    # Nothing to show (`<p></p>` from a dropped remote image): as empty as an empty message.
    return cleaned if "<img" in cleaned or _TAGS.sub("", cleaned).strip() else ""


def render_chat_body(text: str, emoji: Mapping[str, Emoji] | None = None) -> str:
    """Render a user's markdown and sanitise it; "" means there is nothing to send.

    `emoji` maps lower-cased shortcode names to the custom emoji (see `emoji_catalog`)."""
    text = text.strip()
    if not text:
        return ""
    return sanitize_chat_html(_parser().render(text, {"emoji": emoji or {}}))


def render_notice(markdown: str) -> str:
    """Server, admin and integration notices (SYSTEM, CHAT_ACTION): trusted markdown with raw
    HTML, reduced to the notice allow-list (see `trusted_html`)."""
    return render_trusted(markdown)


def escape_markdown(text: str) -> str:
    """Make a user-controlled string (a display name) literal inside a markdown notice."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)
