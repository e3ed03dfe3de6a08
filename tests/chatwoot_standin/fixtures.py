"""pytest fixtures: the stand-in Chatwoot and Prism in front of it, once per session.

    from tests.chatwoot_standin.fixtures import (  # noqa: F401
        chatwoot_fixture,
        chatwoot_session_fixture,
    )

`chatwoot` (function scope) resets the stand-in's data and yields a :class:`ChatwootUnderTest`:
`api_url` (through Prism: use it for the code under test), `direct_url` (the stand-in itself),
`token`, `account_id`, `standin.state`, `snapshot()`, and test-control helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chatwoot_standin.control import snapshot
from tests.chatwoot_standin.prism import SEED, Prism
from tests.chatwoot_standin.server import StandIn
from tests.chatwoot_standin.swagger import write_prism_copy


@dataclass
class ChatwootUnderTest:
    """The stand-in behind Prism, as a test sees it."""

    standin: StandIn
    prism: Prism
    log_mark: int = 0  # Prism log lines before the current test

    @property
    def api_url(self) -> str:
        return self.prism.url

    @property
    def direct_url(self) -> str:
        return self.standin.url

    @property
    def token(self) -> str:
        return self.standin.state.token

    @property
    def account_id(self) -> int:
        return self.standin.state.account_id

    def snapshot(self) -> dict[str, Any]:
        """Everything the stand-in holds (see control.snapshot)."""
        return snapshot(self.standin.state)

    def control(self, name: str, body: dict[str, Any] | None = None) -> Any:
        """POST `/_test/<name>` on the stand-in."""
        answer = httpx.post(f"{self.direct_url}/_test/{name}", json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def violations(self) -> list[str]:
        """Prism's log lines that report a request or an answer breaking the Swagger.

        An undeclared status code (Chatwoot's real 401/422 where the seed lists 403) is only
        a warning and not counted.
        """
        return [
            line
            for line in self.prism.log_lines()[self.log_mark :]
            if ("Violation" in line or "terminated with error" in line)
            and "Unable to match the returned status code" not in line
        ]


@pytest.fixture(name="chatwoot_session", scope="session")
def chatwoot_session_fixture(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ChatwootUnderTest]:
    """The stand-in and Prism, started once per test session."""
    work = Path(tmp_path_factory.mktemp("chatwoot"))
    spec = write_prism_copy(work / "chatwoot-swagger.json", SEED)
    standin = StandIn()
    try:
        prism = Prism(spec, standin.url, work / "prism.log")
    except Exception:
        standin.close()
        raise
    try:
        yield ChatwootUnderTest(standin, prism)
    finally:
        prism.close()
        standin.close()


@pytest.fixture(name="chatwoot")
def chatwoot_fixture(chatwoot_session: ChatwootUnderTest) -> ChatwootUnderTest:
    """The session's stand-in with its data reset; `violations()` counts from here."""
    chatwoot_session.control("reset")
    chatwoot_session.log_mark = len(chatwoot_session.prism.log_lines())
    return chatwoot_session
