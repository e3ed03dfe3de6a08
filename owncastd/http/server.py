"""Serves the web app with hypercorn inside the daemon's nursery."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import trio
from hypercorn.config import Config
from hypercorn.trio import serve
from quart_trio import QuartTrio

from owncastd.errors import StartupError

log = logging.getLogger(__name__)

GRACEFUL_TIMEOUT = 3.0


def bind_address(ip: str, port: int) -> str:
    """hypercorn's bind string (IPv6 addresses in brackets)."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


class HttpServer:
    """Runs `app` on `ip:port` (port 0 picks a free one; the real port is reported)."""

    def __init__(self, app: QuartTrio, ip: str, port: int, *, access_log: bool = False) -> None:
        self._app = app
        self._config = Config()
        self._config.bind = [bind_address(ip, port)]
        self._config.graceful_timeout = GRACEFUL_TIMEOUT
        self._config.accesslog = logging.getLogger("owncastd.http.access") if access_log else None
        self._config.errorlog = logging.getLogger("owncastd.http.server")
        self._config.keep_alive_timeout = 30
        self._config.h11_max_incomplete_size = 64 * 1024

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve until cancelled; `task_status.started(port)` once listening."""

        class _Status:
            def started(self, binds: list[str] | None = None) -> None:
                port = urlsplit(binds[0]).port if binds else None
                task_status.started(port or 0)

        try:
            await serve(self._app, self._config, task_status=_Status())  # type: ignore[arg-type]
        except* OSError as group:
            exc = group.exceptions[0]
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StartupError(
                f"cannot listen for HTTP on {self._config.bind[0]}: {reason}"
            ) from None
