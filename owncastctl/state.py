"""What one owncastctl invocation carries: global options, the connection, output, the client.

Tests build a :class:`State` with a fake environment, an `httpx.MockTransport` and no keyring and
pass it as click's ``obj``; the real entry point lets the root callback create a default one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import typer

from owncastctl import api
from owncastctl.api import Call
from owncastctl.client import Client, Connection
from owncastctl.connection import resolve
from owncastctl.credentials import CredentialStore, config_dir, system_keyring
from owncastctl.output import Output

_SYSTEM = object()  # "use the system keyring" marker


@dataclass
class State:
    """Per-invocation context (click's ``ctx.obj``)."""

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    transport: httpx.BaseTransport | None = None
    keyring_backend: Any = _SYSTEM
    ws_connect: Callable[..., Any] | None = None  # websocket factory (tests inject a fake)
    cwd: Path | None = None
    url: str | None = None
    password_file: str | None = None
    debug: bool = False
    out: Output = field(default_factory=Output)
    _connection: Connection | None = None
    _client: Client | None = None
    _store: CredentialStore | None = None

    def store(self) -> CredentialStore:
        """The credentials store (file + keyring)."""
        if self._store is None:
            backend = system_keyring() if self.keyring_backend is _SYSTEM else self.keyring_backend
            self._store = CredentialStore(config_dir(self.environ), backend)
        return self._store

    def connection(self) -> Connection:
        """URL and password, from the options, the environment, the login or the local config.

        Resolved once per invocation: a `--password-file -` can only be read once.
        """
        if self._connection is None:
            self._connection = resolve(
                self.url, self.password_file, self.store(), self.environ, self.cwd
            )
        return self._connection

    def client(self) -> Client:
        """The HTTP client (created once)."""
        if self._client is None:
            self._client = Client(self.connection(), self.transport)
        return self._client

    def client_for(self, conn: Connection) -> Client:
        """A client for another connection (e.g. `login` checking a new password)."""
        return Client(conn, self.transport)

    def call(self, call: Call) -> Any:
        """Send `call`, with a spinner while waiting."""
        client = self.client()
        with self.out.spinner(f"{call.label.capitalize()} at {client.conn.base}…"):
            return client.send(call)

    def act(self, call: Call, done: str) -> None:
        """Send an action `call` (with a spinner), then confirm it with a `✓ done` line."""
        self.call(call)
        self.out.done(done)

    def close(self) -> None:
        """Release the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None


def get_state(ctx: typer.Context) -> State:
    """The State of this invocation."""
    root = ctx.find_root()
    state = root.ensure_object(State)
    return state


def server_version(state: State) -> tuple[str | None, str | None]:
    """`(owncastd version, Owncast API version)` from `/api/status`; None when unknown.

    `versionNumber` is the Owncast API version the daemon implements; its own version is in
    `owncastdVersion` (absent from older daemons, whose `versionNumber` was their own)."""
    try:
        data = state.client().send(api.public_status())
    except Exception:  # `version` works offline
        return None, None
    if not isinstance(data, dict):
        return None, None
    ours, api_version = data.get("owncastdVersion"), data.get("versionNumber")
    if ours is None:
        return (None if api_version is None else str(api_version)), None
    return str(ours), None if api_version is None else str(api_version)
