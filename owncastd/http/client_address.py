"""The address of the client behind the current Quart request."""

from __future__ import annotations

from quart import request

from owncastd.config.settings import SettingsRef
from owncastd.core.viewers import client_ip


def request_ip(settings: SettingsRef) -> str:
    """The client's address: read from X-Forwarded-For (right to left, past trusted proxies)
    when the peer is one of `[web] trusted_proxies`, else the peer itself (:func:`client_ip`)."""
    return client_ip(
        request.remote_addr or "",
        request.headers.get("X-Forwarded-For"),
        settings.current.web.trusted_proxies,
    )
