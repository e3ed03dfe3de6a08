"""The quart-trio app, imported and built after the daemon is ready (issue 17: ready ≤ 0.7 s).

Importing quart, flask, jinja2 and the admin and page modules costs ~0.35 s, more than a third
of a start, and none of it is needed to serve the viewers' hot requests (the lean path) or to
accept a stream. :class:`LazyApp` stands in for the app as hypercorn's ASGI app. Its load
starts with hypercorn's lifespan, which the bridge (hypercorn_bridge.py) starts when the first
connection it serves arrives or the daemon warms it up right after `ready`; everything waits
for that one load. The modules are imported on a worker thread, so the lean path keeps serving
meanwhile; the app is built on the trio thread.

hypercorn's lifespan startup is answered at once (the server must not wait for the app); the
app's own lifespan (quart-trio sets up its background-task nursery there) runs once it is
loaded, and requests wait for its startup. At shutdown the app's lifespan is shut down if it
was started. If the app cannot be loaded or started, the error is logged and its requests fail
(hypercorn answers 500) instead of waiting forever.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import trio

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SHUTDOWN_SECONDS = 10.0


class AppUnavailableError(RuntimeError):
    """The web app could not be loaded or started."""


class LazyApp:
    """An ASGI app built on first need: `await build()` runs after `module` was imported."""

    def __init__(self, module: str, build: Callable[[], Awaitable[AsgiApp]]) -> None:
        self._module = module
        self._build = build
        self._app: AsgiApp | None = None
        self._failed = False
        self._started = trio.Event()  # the app's lifespan startup ran (or failed)
        self._stopped = trio.Event()
        self._to_app: trio.MemorySendChannel[Message] | None = None

    @property
    def loaded(self) -> bool:
        """True once the app has been built."""
        return self._app is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        app = await self.started_app()
        await app(scope, receive, send)

    async def started_app(self) -> AsgiApp:
        """The app once loaded and its lifespan started.

        Raises AppUnavailableError when it could not be loaded or started.
        """
        await self._started.wait()
        if self._failed or self._app is None:
            raise AppUnavailableError("the web app failed to start")
        return self._app

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """hypercorn's lifespan: started at once, the app's own run beside it."""
        async with trio.open_nursery() as nursery:
            if (await receive())["type"] != "lifespan.startup":
                return
            nursery.start_soon(self._run_app_lifespan, scope)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            with trio.move_on_after(SHUTDOWN_SECONDS):
                await self._shutdown_app()
            nursery.cancel_scope.cancel()
        await send({"type": "lifespan.shutdown.complete"})

    async def _shutdown_app(self) -> None:
        await self._started.wait()
        if self._to_app is not None and not self._failed:
            await self._to_app.send({"type": "lifespan.shutdown"})
            await self._stopped.wait()

    async def _run_app_lifespan(self, scope: Scope) -> None:
        """Import, build, and run the app's lifespan until shutdown."""
        to_app, from_us = trio.open_memory_channel[Message](2)
        try:
            started = time.monotonic()
            await trio.to_thread.run_sync(importlib.import_module, self._module)
            app = self._app = await self._build()
            self._to_app = to_app
            await to_app.send({"type": "lifespan.startup"})
            log.info("web app loaded seconds=%.3f", time.monotonic() - started)
            await app(scope, from_us.receive, self._from_app)
        except Exception:
            log.exception("web app failed")
            self._failed = True
        finally:
            self._started.set()
            self._stopped.set()

    async def _from_app(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self._started.set()
        elif kind == "lifespan.shutdown.complete":
            self._stopped.set()
        elif kind.endswith(".failed"):
            raise AppUnavailableError(f"{kind}: {message.get('message', '')}")
