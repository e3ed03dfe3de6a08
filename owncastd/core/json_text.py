"""Text from JSON that can be stored and sent on: no lone UTF-16 surrogates.

JSON may spell a surrogate code point with an escape (`"\\ud800"`); Python's decoder turns an
unpaired one into a `str` that cannot be encoded as UTF-8, so SQLite, the JSON encoder and the
websocket writer all fail on it later, far from where it came in. Decoded documents are checked
here, at the edge, so such text is refused before anything acts on it.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate_path(value: Any) -> str | None:
    """Where in a decoded JSON value a string (or key) holds a lone surrogate, e.g.
    `$.displayName`; None when all its text is valid Unicode. Iterative: any depth."""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                if _SURROGATE.search(key):
                    return f"{path} (a key)"
                stack.append((child, f"{path}.{_printable(key)}"))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))
    return None


def _printable(key: str) -> str:
    return key[:40] if key.isidentifier() else repr(key[:40])
