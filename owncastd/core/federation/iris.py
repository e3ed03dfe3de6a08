"""The IRIs federation publishes (develop §1.1–1.2): every one is the canonical server URL (its
host in ASCII/punycode, no trailing slash) plus a path. Pure functions, no I/O."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

DEFAULT_USERNAME = "streamer"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
SHORT_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"


def canonical_server(server_url: str) -> str:
    """`server_url` with its host in punycode and no trailing slash ("" when empty).
    ValueError when the URL cannot be canonicalised (no scheme or host)."""
    if not server_url.strip():
        return ""
    parts = urlsplit(server_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {server_url[:200]}")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"the host of {server_url[:200]} is not a valid name") from None
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def server_host(server_url: str) -> str:
    """The canonical host of `server_url` (with its port, if any); "" when unset or invalid."""
    try:
        return urlsplit(canonical_server(server_url)).netloc
    except ValueError:
        return ""


def username_or_default(username: str) -> str:
    """The configured username; an empty one reads as ``streamer`` (develop §1.7)."""
    return username or DEFAULT_USERNAME


def actor_iri(server_url: str, username: str) -> str:
    """``<S>/federation/user/<username>``."""
    return f"{canonical_server(server_url)}/federation/user/{username_or_default(username)}"


def key_id(actor: str) -> str:
    """The actor's public key id, ``<actor>#main-key``."""
    return f"{actor}#main-key"


def followers_iri(actor: str) -> str:
    """The actor's followers collection."""
    return f"{actor}/followers"


def object_iri(server_url: str, short_id: str) -> str:
    """``<S>/federation/<short_id>`` (an activity or a published object)."""
    return f"{canonical_server(server_url)}/federation/{short_id}"


def new_short_id(length: int = 10) -> str:
    """A random short id for a new object IRI (URL-safe)."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(length))


def account(server_url: str, username: str) -> str:
    """The fediverse account, ``<username>@<host>`` ("" without a usable server URL)."""
    host = server_host(server_url)
    return f"{username_or_default(username)}@{host}" if host else ""


def host_of(iri: str) -> str:
    """The lower-case host name of an IRI ("" when it has none)."""
    try:
        return (urlsplit(iri).hostname or "").lower()
    except ValueError:
        return ""


DEFAULT_PORTS = {"http": 80, "https": 443}


def account_host(iri: str) -> str:
    """The lower-case host of an IRI for an account name, with ``:port`` when the port is not
    the scheme's default (``127.0.0.1:8095``); "" when it has no host."""
    try:
        parts = urlsplit(iri)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return ""
    if not host or port is None or DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def remote_account(preferred_username: str, iri: str) -> str:
    """A remote actor's ``user@host`` (``user@host:port`` on a non-default port) from its
    preferredUsername and IRI."""
    host = account_host(iri)
    return f"{preferred_username}@{host}" if preferred_username and host else iri
