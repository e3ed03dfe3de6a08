"""The "how to go live" text the first start prints once the ports are bound.

It names the RTMP and web addresses with the ports actually listening (the configured ones, or
the ones the system picked for a port of 0), never a hard-coded 1935.
"""

from __future__ import annotations

import ipaddress

THIS_HOST = "<this host>"


def url_host(bind_ip: str) -> str:
    """The host part of a URL for a listener bound to `bind_ip` (wildcards: "<this host>")."""
    try:
        address = ipaddress.ip_address(bind_ip)
    except ValueError:
        return bind_ip or THIS_HOST
    if address.is_unspecified:
        return THIS_HOST
    return f"[{address}]" if address.version == 6 else str(address)


def how_to_stream(
    *, rtmp_ip: str, rtmp_port: int, web_ip: str, web_port: int, key_hint: str
) -> str:
    """Where to point the encoder and where to watch, as lines for the terminal or a log."""
    web = f"http://{url_host(web_ip)}:{web_port}"
    return "\n".join(
        [
            "",
            "To go live, point OBS (Settings → Stream → Service: Custom) or ffmpeg at:",
            f"  server         : rtmp://{url_host(rtmp_ip)}:{rtmp_port}/live",
            f"  stream key     : {key_hint}",
            f"Watch at {web}/ and manage it at {web}/admin (or with `owncastctl`).",
            "",
        ]
    )
