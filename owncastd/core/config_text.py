"""`/api/config`'s text fields rendered as Owncast renders them (develop §7.2), made safe.

Owncast renders `offlineMessage` with goldmark's simple markdown (+ linkify) and
`extraPageContent` with GFM (tables, strikethrough) + linkify, both with raw HTML allowed and
*not* sanitised. We render the same markdown with raw HTML allowed too, but pass the result
through the page allow-list (:mod:`owncastd.core.markdown`), so nothing executable reaches a
viewer: scripts, event handlers, iframes and `javascript:` URLs never survive.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from owncastd.core.markdown import clean_page_html

if TYPE_CHECKING:
    from markdown_it import MarkdownIt  # imported on first use: not at startup


@functools.cache
def _simple() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"linkify": True, "html": True}).enable("linkify")


@functools.cache
def _gfm() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(
        ["linkify", "strikethrough", "table"]
    )


def offline_message_html(text: str) -> str:
    """Simple markdown (+ linkify, raw HTML through the allow-list), with goldmark's trailing
    newline kept; "" for an empty text."""
    return clean_page_html(_simple().render(text))


def page_content_html(text: str) -> str:
    """GFM (tables, strikethrough) + linkify, raw HTML through the allow-list, trimmed."""
    return clean_page_html(_gfm().render(text)).strip()
