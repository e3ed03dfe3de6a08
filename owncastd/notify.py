"""sd_notify with the standard library: READY=1, STOPPING=1, WATCHDOG=1 to `$NOTIFY_SOCKET`."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def sd_notify(message: str, environ: dict[str, str] | None = None) -> bool:
    """Send `message` to systemd's notify socket; False when there is none or it failed."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("sd_notify failed error=%s", exc)
        return False
    return True
