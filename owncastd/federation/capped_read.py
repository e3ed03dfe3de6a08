"""Reading a remote answer with a size cap (federation and IndieAuth fetches share it; no
crypto imported here)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

MAX_RESPONSE_BYTES = 1 << 20


async def read_capped(
    response: httpx.Response, error: type[Exception], cap: int = MAX_RESPONSE_BYTES
) -> bytes:
    """The body of `response`; `error(message)` is raised once it passes `cap` bytes."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise error(f"{response.url.host} answered more than {cap} B")
        chunks.append(chunk)
    return b"".join(chunks)


def host_of(url: str) -> str:
    """The host (and port) of `url`, cut to 200 characters, for messages and logs."""
    return urlsplit(url).netloc[:200]
