"""Import quart without `hypercorn.asyncio`, the asyncio server behind quart's `app.run`.

`quart.app` does `from hypercorn.asyncio import serve` at import time (~0.1–0.2 s here: the
asyncio TCP/UDP servers, lifespan, statsd) although owncastd serves through its own front door
and hypercorn's trio worker and never calls `app.run`. While quart is first imported, a
stand-in module offers a `serve` that imports the real one if it is ever called; the
stand-in is then removed, so any later `import hypercorn.asyncio` gets the real module.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_NAME = "hypercorn.asyncio"


async def _serve_on_demand(*args: Any, **kwargs: Any) -> Any:
    """quart's `app.run` → the real `hypercorn.asyncio.serve` (never used by the daemon)."""
    import hypercorn.asyncio

    return await hypercorn.asyncio.serve(*args, **kwargs)


def import_quart() -> None:
    """Import `quart.app` (once) with the stand-in in place of `hypercorn.asyncio`."""
    if "quart.app" in sys.modules or _NAME in sys.modules:
        return
    stub = types.ModuleType(_NAME, "stand-in: see owncastd.http.asyncio_server_stub")
    stub.serve = _serve_on_demand  # type: ignore[attr-defined]
    sys.modules[_NAME] = stub
    try:
        import quart.app  # noqa: F401
    finally:
        if sys.modules.get(_NAME) is stub:
            del sys.modules[_NAME]
