"""Re-escape sanitised HTML the way Owncast's Go libraries write it, so bodies compare equal.

nh3 (html5ever) and Go differ only in how they escape: Go's `html.EscapeString` (bluemonday's
output) writes `'` as `&#39;`, `"` as `&#34;` and `<`/`>` inside attribute values, and leaves a
no-break space as the character; goldmark writes `"` in text as `&quot;`. The input is nh3's
serialisation: every attribute value is double-quoted with `"` written as `&quot;`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')
_VALUE = re.compile(r'="([^"]*)"')

GO_TEXT = {"'": "&#39;", '"': "&#34;", "\r": "&#13;", "&nbsp;": "\u00a0"}
GO_ATTRIBUTE = {
    "&quot;": "&#34;", "'": "&#39;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "&nbsp;": "\u00a0",
}  # fmt: skip
GOLDMARK_TEXT = {'"': "&quot;"}


@functools.cache
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(key) for key in keys))


def _replace_all(text: str, table: Mapping[str, str]) -> str:
    if not table or not text:
        return text
    return _pattern(tuple(table)).sub(lambda match: table[match[0]], text)


def reescape(html: str, text: Mapping[str, str], attribute: Mapping[str, str] | None = None) -> str:
    """`html` with text (outside tags) and attribute values re-escaped by the tables."""
    attribute = attribute or {}
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(html):
        out.append(_replace_all(html[position : match.start()], text))
        out.append(
            _VALUE.sub(lambda v: f'="{_replace_all(v[1], attribute)}"', match[0])
            if attribute
            else match[0]
        )
        position = match.end()
    out.append(_replace_all(html[position:], text))
    return "".join(out)
