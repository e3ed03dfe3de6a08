"""Whether the environment's proxy variables apply to a URL, as httpx reads them
(``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` in either case, less ``NO_PROXY``).

The lean client does not speak to proxies: when this says a proxy applies, the caller sends
through httpx, which honours the same variables. When in doubt it answers True (httpx then
decides), so a proxy the operator set is never bypassed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit


def _env(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name.lower()) or environ.get(name.upper()) or "").strip()


class ProxyRule:
    """The proxy variables read once (as httpx reads them when its client is made)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._proxy = {
            "http": _env(env, "http_proxy") or _env(env, "all_proxy"),
            "https": _env(env, "https_proxy") or _env(env, "all_proxy"),
        }
        self._no_proxy = [
            item.strip().lower() for item in _env(env, "no_proxy").split(",") if item.strip()
        ]
        self._seen: dict[tuple[str, str, int | None], bool] = {}

    @property
    def any(self) -> bool:
        """Whether any proxy variable is set at all."""
        return any(self._proxy.values())

    def applies(self, url: str) -> bool:
        """True when a proxy variable covers `url` (or might: httpx decides then)."""
        if not self.any:
            return False
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        key = (scheme, host, parts.port)
        known = self._seen.get(key)
        if known is None:
            known = self._seen[key] = self._decide(*key)
        return known

    def _decide(self, scheme: str, host: str, port: int | None) -> bool:
        if not self._proxy.get(scheme):
            return False
        for item in self._no_proxy:
            if item == "*":
                return False
            name = item.split("://", 1)[-1]
            if port is not None and name == f"{host}:{port}":
                return False
            name = name.lstrip(".")
            if host == name or host.endswith("." + name):
                return False
        return True
