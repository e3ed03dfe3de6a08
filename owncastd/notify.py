"""sd_notify with the standard library: READY, RELOADING, STOPPING, STATUS and WATCHDOG.

Messages go to `$NOTIFY_SOCKET` as one datagram each, sent without blocking (a full socket
drops the message rather than stalling the event loop). The watchdog is petted by a trio task
(:func:`pet_watchdog`), so a wedged event loop stops petting and systemd restarts the service.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

from owncastd.core.periodic import periodic

log = logging.getLogger(__name__)


def sd_notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send `message` to systemd's notify socket; False when there is none or it failed."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.setblocking(False)
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("sd_notify failed error=%s", exc)
        return False
    return True


def reloading_message() -> str:
    """`RELOADING=1` with the `MONOTONIC_USEC` that systemd ≥ 253 checks for notify-reload."""
    usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return f"RELOADING=1\nMONOTONIC_USEC={usec}"


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pets (half of `$WATCHDOG_USEC`), or None when no watchdog is asked for.

    `$WATCHDOG_PID`, when set, must be our pid (systemd sets it so children ignore it).
    """
    env = os.environ if environ is None else environ
    raw = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not raw or (pid and pid != str(os.getpid())):
        return None
    try:
        usec = int(raw)
    except ValueError:
        log.warning("ignoring a malformed WATCHDOG_USEC value=%r", raw)
        return None
    return usec / 2_000_000 if usec > 0 else None


async def pet_watchdog(interval: float, notify: Callable[[str], object] = sd_notify) -> None:
    """Send `WATCHDOG=1` every `interval` seconds until cancelled.

    It runs on the trio thread like everything else, so when the event loop is blocked (a stuck
    system call, a busy loop) the pets stop and systemd's `WatchdogSec` restarts the daemon.
    """
    log.info("watchdog enabled interval=%.1fs", interval)
    await periodic(interval, lambda: notify("WATCHDOG=1"), first=0)
