"""Markdown → safe HTML for admin-written texts (summary, offline message, page content)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import nh3

# Admin texts may use the usual document structure; scripts, styles and handlers never pass.
PAGE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
PAGE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "*": {"class"}}

if TYPE_CHECKING:
    from markdown_it import MarkdownIt  # imported on first use: not at startup


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"linkify": True, "html": False}).enable(
        ["linkify", "strikethrough", "table"]
    )


def clean_page_html(html: str) -> str:
    """Reduce HTML to the page allow-list (links open in a new tab, no referrer)."""
    return nh3.clean(
        html,
        tags=PAGE_TAGS,
        attributes=PAGE_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


def render_page_markdown(text: str) -> str:
    """Render admin markdown to sanitised HTML (links open in a new tab, no referrer)."""
    if not text.strip():
        return ""
    return clean_page_html(_parser().render(text)).strip()
