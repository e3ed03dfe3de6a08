"""The slur filter's check, backed by the maintained `glin-profanity` word lists.

Owncast uses go-away's English list; glin-profanity is pure Python, maintained, and also catches
leetspeak, spaced-out and stretched spellings ("f u c k", "sh1t", "fuuuck") without flagging
"Scunthorpe", "assessment" or "cocktails". Building the filter takes ~0.25 s, so the daemon
builds it on a worker thread at startup.
"""

from __future__ import annotations

from typing import Protocol


class ProfanityCheck(Protocol):
    """Anything that can tell whether a text is profane."""

    def is_profane(self, text: str) -> bool: ...


class GlinProfanityCheck:
    """English profanity (with leetspeak) via glin-profanity."""

    def __init__(self) -> None:
        from glin_profanity import Filter

        self._filter = Filter({"languages": ["english"], "detect_leetspeak": True})

    def is_profane(self, text: str) -> bool:
        """True when `text` contains a word from the list."""
        return bool(self._filter.is_profane(text))


class NoProfanityCheck:
    """Used until the real filter is loaded (and in tests that do not care)."""

    def is_profane(self, text: str) -> bool:
        """Never profane."""
        return False
