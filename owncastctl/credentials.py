"""Where owncastctl keeps the admin password: the system keyring or a 0600 file.

`owncastctl login` stores the password in the keyring only when a real backend exists
(`keyring.get_keyring().priority >= 1`, not the failing or plaintext ones that are all a headless
server has); otherwise in ``$XDG_CONFIG_HOME/owncastctl/credentials.json``, mode 0600 in a 0700
directory. The same file always holds the default URL (the last login) and, per server, which
store has the password, the chat token used to follow chat and the access token owncastctl
created to send system messages (owncastd shows a token only once, when it is created). It
never holds the password when the keyring is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from owncastctl.errors import CtlUsageError

SERVICE = "owncastctl"
FILE_NAME = "credentials.json"
Store = Literal["keyring", "file"]


class KeyringBackend(Protocol):
    """The part of a `keyring` backend owncastctl uses."""

    priority: float

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


def config_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/owncastctl`` (default ``~/.config/owncastctl``)."""
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "owncastctl"


def usable_keyring(backend: Any) -> bool:
    """True for a real keyring: priority ≥ 1 and not a failing, null or plaintext backend."""
    if backend is None:
        return False
    try:
        priority = float(backend.priority)
    except Exception:  # a backend whose priority property raises is not usable
        return False
    kind = f"{type(backend).__module__}.{type(backend).__qualname__}".lower()
    bad = ("fail", "null", "plaintext", "keyrings.alt")
    return priority >= 1 and not any(word in kind for word in bad)


def system_keyring() -> Any:
    """The `keyring` module's chosen backend, or None when keyring cannot load one."""
    try:
        import keyring

        return keyring.get_keyring()
    except Exception:  # no backend, broken D-Bus, …: fall back to the file
        return None


def backend_name(backend: Any) -> str:
    """A readable name such as ``SecretService Keyring``."""
    return str(getattr(backend, "name", None) or type(backend).__name__)


def normalise_url(url: str) -> str:
    """`http://host:port` without a trailing slash; `host:port` gets `http://`."""
    url = url.strip().rstrip("/")
    if not url:
        raise CtlUsageError("the daemon URL is empty")
    if "://" not in url:
        url = "http://" + url
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise CtlUsageError(f"the daemon URL must start with http:// or https:// (got {url!r})")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not 0..65535
    except ValueError as exc:
        raise CtlUsageError(f"the daemon URL {url!r} is not valid: {exc}") from None
    if not parts.hostname:
        raise CtlUsageError(f"the daemon URL {url!r} has no host (e.g. http://myhost:8080)")
    return url


@dataclass
class Saved:
    """What `login` stored for one server."""

    url: str
    store: Store
    password: str | None


class CredentialStore:
    """The credentials file plus (optionally) the system keyring."""

    def __init__(self, directory: Path, keyring_backend: Any = None) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self.keyring = keyring_backend

    # file
    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {"servers": {}}
        except (OSError, ValueError) as exc:
            raise CtlUsageError(f"cannot read {self.path}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("servers"), dict):
            raise CtlUsageError(f"{self.path} is not an owncastctl credentials file")
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=self.directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(data, handle, indent=2)
                handle.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # queries
    def default_url(self) -> str | None:
        """The URL of the last login, if any."""
        url = self._read().get("default")
        return url if isinstance(url, str) and url else None

    def load(self, url: str) -> Saved | None:
        """The stored password for `url` (None when not logged in there)."""
        entry = self._read()["servers"].get(url)
        if not isinstance(entry, dict):
            return None
        if entry.get("store") == "keyring":
            password = None
            if self.keyring is not None:
                with contextlib.suppress(Exception):
                    password = self.keyring.get_password(SERVICE, url)
            return Saved(url, "keyring", password)
        password = entry.get("password")
        return Saved(url, "file", password if isinstance(password, str) else None)

    def chat_token(self, url: str) -> str | None:
        """The chat token owncastctl registered on `url` for following chat."""
        return self._token(url, "chatToken")

    def system_token(self, url: str) -> str | None:
        """The access token owncastctl created on `url` to send system messages."""
        return self._token(url, "systemToken")

    def _token(self, url: str, key: str) -> str | None:
        entry = self._read()["servers"].get(url)
        token = entry.get(key) if isinstance(entry, dict) else None
        return token if isinstance(token, str) else None

    # changes
    def save(self, url: str, password: str, *, prefer: str = "auto") -> Store:
        """Store `password` for `url` and make it the default; returns the store used."""
        use_keyring = prefer == "keyring" or (prefer == "auto" and usable_keyring(self.keyring))
        if prefer == "keyring" and not usable_keyring(self.keyring):
            raise CtlUsageError(
                "no usable system keyring here (only a failing or plaintext backend): "
                "use --store file"
            )
        data = self._read()
        entry = dict(data["servers"].get(url) or {})
        if use_keyring:
            self.keyring.set_password(SERVICE, url, password)
            entry.pop("password", None)
            entry["store"] = "keyring"
        else:
            entry.update(store="file", password=password)
        data["servers"][url] = entry
        data["default"] = url
        self._write(data)
        return "keyring" if use_keyring else "file"

    def save_chat_token(self, url: str, token: str) -> None:
        """Remember the chat token registered on `url`."""
        self._save_token(url, "chatToken", token)

    def save_system_token(self, url: str, token: str) -> None:
        """Remember owncastctl's system-message access token on `url`."""
        self._save_token(url, "systemToken", token)

    def _save_token(self, url: str, key: str, token: str) -> None:
        data = self._read()
        entry = dict(data["servers"].get(url) or {})
        entry[key] = token
        data["servers"][url] = entry
        self._write(data)

    def forget(self, url: str) -> bool:
        """Remove everything stored for `url`; True when something was stored."""
        data = self._read()
        entry = data["servers"].pop(url, None)
        if entry is not None and entry.get("store") == "keyring" and self.keyring is not None:
            with contextlib.suppress(Exception):
                self.keyring.delete_password(SERVICE, url)
        if data.get("default") == url:
            data.pop("default", None)
        if entry is not None:
            self._write(data)
        return entry is not None
