"""Which daemon to talk to and with which password.

URL, first found: ``--url``, ``$OWNCAST_URL``, the last `owncastctl login`, the local daemon's
own config (``$OWNCAST_CONFIG``, ``$OWNCAST_DATA_DIR/owncast.toml``, ``./data/owncast.toml``,
``/etc/owncastd/owncast.toml``: its ``[web]`` ip and port, read with tomllib), and finally
``http://127.0.0.1:8080``. Password, first found: ``--password-file``,
``$OWNCAST_ADMIN_PASSWORD``, the password stored by `login` for that URL. The local config
cannot give the password (it holds a bcrypt hash), so there it asks for `owncastctl login`.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

from owncastctl.client import Connection
from owncastctl.credentials import CredentialStore, normalise_url
from owncastctl.errors import CtlUsageError

DEFAULT_URL = "http://127.0.0.1:8080"
SYSTEM_CONFIG = Path("/etc/owncastd/owncast.toml")


def local_config_paths(environ: Mapping[str, str], cwd: Path) -> list[Path]:
    """Where a daemon on this host keeps its config, most specific first."""
    paths: list[Path] = []
    if environ.get("OWNCAST_CONFIG"):
        paths.append(Path(environ["OWNCAST_CONFIG"]))
    if environ.get("OWNCAST_DATA_DIR"):
        paths.append(Path(environ["OWNCAST_DATA_DIR"]) / "owncast.toml")
    paths.append(cwd / "data" / "owncast.toml")
    paths.append(SYSTEM_CONFIG)
    return paths


def url_from_config(path: Path, environ: Mapping[str, str]) -> str | None:
    """`http://ip:port` of the daemon configured by `path` (None if unreadable or port 0)."""
    try:
        with path.open("rb") as handle:
            web = tomllib.load(handle).get("web", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(web, dict):
        return None
    ip = str(environ.get("OWNCAST_WEB_IP") or web.get("ip") or "0.0.0.0")
    try:
        port = int(environ.get("OWNCAST_WEB_PORT") or web.get("port", 8080))
    except (TypeError, ValueError):
        return None
    if not 1 <= port <= 65535:
        return None
    return f"http://{connect_host(ip)}:{port}"


def connect_host(bind_ip: str) -> str:
    """The address to connect to for a listener bound to `bind_ip` (wildcards → loopback)."""
    try:
        address = ipaddress.ip_address(bind_ip)
    except ValueError:
        return bind_ip or "127.0.0.1"
    if address.is_unspecified:
        return "[::1]" if address.version == 6 else "127.0.0.1"
    return f"[{address}]" if address.version == 6 else str(address)


def find_local_daemon(environ: Mapping[str, str], cwd: Path) -> tuple[str, Path] | None:
    """The URL of a daemon configured on this host, and the config it came from."""
    for path in local_config_paths(environ, cwd):
        url = url_from_config(path, environ)
        if url:
            return url, path
    return None


def resolve_url(
    explicit: str | None, environ: Mapping[str, str], store: CredentialStore, cwd: Path
) -> tuple[str, str]:
    """The daemon URL and where it came from."""
    if explicit:
        return normalise_url(explicit), "--url"
    if environ.get("OWNCAST_URL"):
        return normalise_url(environ["OWNCAST_URL"]), "OWNCAST_URL"
    default = store.default_url()
    if default:
        return default, "owncastctl login"
    local = find_local_daemon(environ, cwd)
    if local:
        return local[0], str(local[1])
    return DEFAULT_URL, "the default address"


def read_password_file(path: str) -> str:
    """The first line of `path` (``-`` reads standard input)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as exc:
        raise CtlUsageError(f"cannot read the password file {path}: {exc.strerror}") from exc
    lines = text.splitlines()
    password = lines[0] if lines else ""
    if not password:
        raise CtlUsageError(f"the password file {path} is empty")
    return password


def resolve_password(
    url: str, password_file: str | None, environ: Mapping[str, str], store: CredentialStore
) -> str | None:
    """The admin password for `url`, or None when none is known."""
    if password_file:
        return read_password_file(password_file)
    if environ.get("OWNCAST_ADMIN_PASSWORD"):
        return environ["OWNCAST_ADMIN_PASSWORD"]
    saved = store.load(url)
    return saved.password if saved else None


def resolve(
    url: str | None,
    password_file: str | None,
    store: CredentialStore,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Connection:
    """The connection to use for a command."""
    env = os.environ if environ is None else environ
    base, source = resolve_url(url, env, store, cwd or Path.cwd())
    password = resolve_password(base, password_file, env, store)
    return Connection(base, password, source)
