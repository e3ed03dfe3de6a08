"""A put + get + delete round trip of a small probe object: new S3 settings must pass it before
they are accepted (the admin learns at once that the endpoint, keys or bucket are wrong)."""

from __future__ import annotations

import secrets

from owncastd.core.storage import Storage, StorageError

PROBE_PREFIX = ".owncastd-probe-"


async def round_trip(storage: Storage) -> str | None:
    """None when the bucket takes, returns and deletes a probe object; else the reason."""
    key = f"{PROBE_PREFIX}{secrets.token_hex(6)}"
    body = secrets.token_bytes(32)
    try:
        await storage.put(key, body, "application/octet-stream", "no-cache")
        try:
            back = await storage.get(key)
        finally:
            await storage.delete([key])
    except StorageError as exc:
        return str(exc)
    if back != body:
        return "the probe object read back differs from what was written"
    return None
