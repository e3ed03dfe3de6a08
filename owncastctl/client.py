"""HTTP clients for owncastd: sync (the CLI) and async (the TUI), with one error mapping.

Both send :class:`owncastctl.api.Call` descriptions with HTTP Basic `admin:<password>` (or a
bearer token) and turn failures into :mod:`owncastctl.errors`: no answer → exit 3 naming the URL
and how to fix it; an error answer → exit 1 with the server's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from owncastctl.api import Call
from owncastctl.errors import (
    AuthRefusedError,
    CtlUsageError,
    ServerRefusedError,
    UnreachableError,
)

ADMIN_USER = "admin"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


@dataclass(frozen=True)
class Connection:
    """Where the daemon is and the admin password to use (None: public routes only)."""

    url: str
    password: str | None = None
    source: str = ""  # where the URL came from, for error messages ("--url", "login"…)

    @property
    def base(self) -> str:
        """The URL without a trailing slash."""
        return self.url.rstrip("/")


def missing_password(conn: Connection) -> CtlUsageError:
    """The exit-2 error for an admin call when no password is known for `conn`."""
    return CtlUsageError(
        f"no admin password for {conn.base}: run `owncastctl login {conn.base}`, "
        "or set OWNCAST_ADMIN_PASSWORD, or pass --password-file"
    )


PROBE_PATH = "/api/status"  # public and cheap: does anything answer at the URL?


def build_request(conn: Connection, call: Call) -> tuple[dict[str, Any], httpx.Auth | None]:
    """The keyword arguments for httpx and the auth to use for `call`."""
    kwargs: dict[str, Any] = {"params": call.params or None}
    if call.json is not None or call.method == "POST":
        kwargs["json"] = call.json
    headers: dict[str, str] = {"Accept": "application/json"}
    auth: httpx.Auth | None = None
    if call.auth == "admin":
        if conn.password is None:
            raise missing_password(conn)
        auth = httpx.BasicAuth(ADMIN_USER, conn.password)
    elif call.auth == "bearer":
        headers["Authorization"] = f"Bearer {call.token}"
    kwargs["headers"] = headers
    return kwargs, auth


def unreachable(conn: Connection, exc: httpx.TransportError) -> UnreachableError:
    """The exit-3 error for a daemon that did not answer."""
    if isinstance(exc, httpx.TimeoutException):
        reason = "no answer in time"
    elif isinstance(exc, httpx.ConnectError):
        reason = "connection refused or host unknown"
    else:
        reason = type(exc).__name__
    origin = f" (from {conn.source})" if conn.source else ""
    return UnreachableError(
        f"cannot reach owncastd at {conn.base}{origin}: {reason}. Is it running "
        "(`systemctl status owncastd`)? Point owncastctl at it with --url, OWNCAST_URL "
        "or `owncastctl login URL`."
    )


def server_message(response: httpx.Response) -> str:
    """The message of an error answer: Owncast's `{"message": …}` or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text else response.reason_phrase
    if not isinstance(body, dict):
        return response.reason_phrase
    message = next(
        (str(body[k]) for k in ("message", "error") if isinstance(body.get(k), str) and body[k]),
        response.reason_phrase,
    )
    problems = body.get("problems")
    if isinstance(problems, list) and problems:
        message += ": " + "; ".join(str(p) for p in problems)
    return message


# What a 404 says when the route itself is missing: Go's router, werkzeug (quart), a bare 404.
NO_ROUTE = ("404 page not found", "not found", "the requested url was not found")


def route_missing(response: httpx.Response) -> bool:
    """Whether a 404 means the server lacks the route, rather than a handler's own 404 with its
    reason (``user nobody not found``), which is shown as it is."""
    message = server_message(response).strip().lower()
    return not message or message.startswith(NO_ROUTE)


def parse_response(conn: Connection, call: Call, response: httpx.Response) -> Any:
    """The decoded body of a successful answer, or the error for a failed one."""
    status = response.status_code
    if status == 401:
        if call.auth == "bearer":
            raise AuthRefusedError("the access token was refused (401)", status)
        raise AuthRefusedError(
            f"owncastd at {conn.base} refused the admin password (401): run "
            f"`owncastctl login {conn.base}` or check OWNCAST_ADMIN_PASSWORD / --password-file",
            status,
        )
    if status == 404 and "not found on an edge node" in response.text:
        raise ServerRefusedError(
            f"owncastd at {conn.base} is an edge node: point owncastctl at the origin", status
        )
    if status == 404 and "/api/" in call.path and route_missing(response):
        raise ServerRefusedError(
            f"owncastd at {conn.base} has no {call.method} {call.path} (404): "
            "the server may be older than this owncastctl",
            status,
        )
    if status >= 400:
        raise ServerRefusedError(
            f"owncastd refused {call.label}: {server_message(response)} (HTTP {status})", status
        )
    if not response.content:
        return None
    try:
        body = response.json()
    except ValueError:
        return response.text
    if isinstance(body, dict) and body.get("success") is False:
        raise ServerRefusedError(f"owncastd refused {call.label}: {server_message(response)}")
    return body


class Client:
    """Synchronous client for the CLI. Use as a context manager or call :meth:`close`."""

    def __init__(self, conn: Connection, transport: httpx.BaseTransport | None = None) -> None:
        self.conn = conn
        self._http = httpx.Client(base_url=conn.base, timeout=TIMEOUT, transport=transport)

    def send(self, call: Call) -> Any:
        """Send `call`; the decoded JSON answer (None for an empty body)."""
        if call.auth == "admin":
            self.require_password()
        kwargs, auth = build_request(self.conn, call)
        try:
            response = self._http.request(call.method, call.path, auth=auth, **kwargs)
        except httpx.TransportError as exc:
            raise unreachable(self.conn, exc) from exc
        return parse_response(self.conn, call, response)

    def require_password(self) -> None:
        """Raise unless an admin password is known: exit 3 when nothing answers at the URL
        (the first thing to fix), else exit 2 asking for the password."""
        if self.conn.password is not None:
            return
        self.probe()
        raise missing_password(self.conn)

    def probe(self) -> None:
        """Raise the exit-3 error unless something answers at the URL (any HTTP status)."""
        try:
            self._http.get(PROBE_PATH)
        except httpx.TransportError as exc:
            raise unreachable(self.conn, exc) from exc

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient:
    """Asynchronous client (asyncio, for Textual). Same calls and errors as :class:`Client`."""

    def __init__(self, conn: Connection, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.conn = conn
        self._http = httpx.AsyncClient(base_url=conn.base, timeout=TIMEOUT, transport=transport)

    async def send(self, call: Call) -> Any:
        """Send `call`; the decoded JSON answer (None for an empty body)."""
        if call.auth == "admin":
            await self.require_password()
        kwargs, auth = build_request(self.conn, call)
        try:
            response = await self._http.request(call.method, call.path, auth=auth, **kwargs)
        except httpx.TransportError as exc:
            raise unreachable(self.conn, exc) from exc
        return parse_response(self.conn, call, response)

    async def require_password(self) -> None:
        """As :meth:`Client.require_password`: exit 3 before exit 2."""
        if self.conn.password is not None:
            return
        try:
            await self._http.get(PROBE_PATH)
        except httpx.TransportError as exc:
            raise unreachable(self.conn, exc) from exc
        raise missing_password(self.conn)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
