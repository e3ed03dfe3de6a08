"""Whether the server has its public URL (`server.url`, Owncast's `yp.instanceUrl`), which
the fediverse account needs: without it every address in a post or the actor is relative, so
no other server can find, follow or fetch it."""

from __future__ import annotations

from typing import Any

HINT = "set it first with `owncastctl config set server.url https://YOUR.HOST`"
NO_URL_POST = (
    "server.url is not set, so the post would carry no valid address "
    f"and followers could not fetch it; {HINT}"
)
NO_URL_FEDERATION = (
    "server.url is not set: other fediverse servers cannot find or follow this account "
    f"until it is; {HINT}"
)


def missing(config: Any) -> bool:
    """True when `/api/admin/serverconfig` reports no server URL."""
    yp = config.get("yp") if isinstance(config, dict) else None
    url = yp.get("instanceUrl") if isinstance(yp, dict) else None
    return not (isinstance(url, str) and url.strip())


def federation_warnings(config: Any) -> list[str]:
    """`status`'s warning while federation is on without a server URL."""
    federation = config.get("federation") if isinstance(config, dict) else None
    on = isinstance(federation, dict) and federation.get("enabled") is True
    return [f"federation is on but {NO_URL_FEDERATION}"] if on and missing(config) else []
