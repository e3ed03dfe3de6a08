"""The slur filter's check, backed by the maintained `glin-profanity` word lists.

Owncast uses go-away's English list; glin-profanity is pure Python, maintained, and also catches
leetspeak, spaced-out and stretched spellings ("f u c k", "sh1t", "fuuuck") without flagging
"Scunthorpe", "assessment" or "cocktails". Building the filter takes ~0.25 s (importing the
package and compiling its patterns), so the daemon builds it on a worker thread at startup
when the filter is on, and otherwise only if it is switched on later (`DeferredProfanityCheck`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
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


class DeferredProfanityCheck:
    """A check built by `load()` or, failing that, by the first `is_profane` (which then
    blocks for the build, once); thread-safe, so `load` may run on a worker thread."""

    def __init__(self, factory: Callable[[], ProfanityCheck] = GlinProfanityCheck) -> None:
        self._factory = factory
        self._check: ProfanityCheck | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the real check has been built."""
        return self._check is not None

    def load(self) -> ProfanityCheck:
        """Build the check if nobody has yet; return it."""
        with self._lock:
            if self._check is None:
                self._check = self._factory()
            return self._check

    def is_profane(self, text: str) -> bool:
        """True when `text` contains a word from the list."""
        check = self._check if self._check is not None else self.load()
        return check.is_profane(text)


class NoProfanityCheck:
    """Used until the real filter is loaded (and in tests that do not care)."""

    def is_profane(self, text: str) -> bool:
        """Never profane."""
        return False
