"""HTTP calls to Chatwoot's REST API: the token header, timeouts, a response-size cap, and the
mapping of failures onto the port's two errors (retry later / do not retry).

The token is sent only in the `api_access_token` header and never appears in an error message
or a log line; error messages carry the method, the path and Chatwoot's own error text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from owncastd.core.chatwoot.ports import ChatwootRejected, ChatwootUnavailable
from owncastd.outbound.client import LeanClient, OutboundError
from owncastd.outbound.proxy_env import ProxyRule

if TYPE_CHECKING:
    import httpx  # imported on the first client: startup needs no httpx (test_lazy_imports)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  # seconds, per phase (connect, read, write, pool)
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_ERROR_TEXT = 200


def _error_text(body: bytes) -> str:
    """Chatwoot's `{"error": …}` / `{"message": …}` text, shortened; "" when there is none."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, Mapping):
        for key in ("error", "message", "description"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value[:MAX_ERROR_TEXT]
    return ""


class ChatwootHttp:
    """One Chatwoot server reached with one access token (connections are pooled).

    Calls go through the lean client (:mod:`owncastd.outbound`); through httpx when a
    `transport` is given (it replaces httpx's network transport: tests) or a proxy variable
    applies to `base_url`. Call :meth:`aclose` when done.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_RESPONSE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._max_bytes = max_bytes
        headers = {"api_access_token": token, "accept": "application/json"}
        self._lean: LeanClient | None = None
        self._client: httpx.AsyncClient | None = None
        if transport is None and not ProxyRule().applies(self.base_url):
            # httpx's default limits: 100 connections, 20 kept alive
            self._lean = LeanClient(
                timeout=timeout,
                headers=headers,
                max_connections=100,
                max_per_host=100,
                max_idle=20,
                max_idle_per_host=20,
            )
            return
        import httpx

        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close pooled connections."""
        if self._lean is not None:
            await self._lean.aclose()
        if self._client is not None:
            await self._client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """The decoded JSON answer of `method path` (None for an empty body).

        Raises ChatwootUnavailable (connection failure, timeout, 5xx, 429, oversized or
        unreadable answer) or ChatwootRejected (any other 4xx, or a redirect).
        """
        where = f"{method} {path}"
        if self._lean is not None:
            return await self._call_lean(self._lean, method, path, body, params, where)
        import httpx

        assert self._client is not None
        try:
            request = self._client.build_request(method, path, json=body, params=params)
            response = await self._client.send(request, stream=True)
            try:
                data = await self._read_capped(response, where)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise ChatwootUnavailable(f"Chatwoot did not answer in time: {where}") from None
        except httpx.HTTPError as exc:
            reason = type(exc).__name__
            raise ChatwootUnavailable(f"Chatwoot unreachable ({reason}): {where}") from None
        return self._decode(response.status_code, data, where)

    async def _call_lean(
        self,
        lean: LeanClient,
        method: str,
        path: str,
        body: Any,
        params: Mapping[str, str | int] | None,
        where: str,
    ) -> Any:
        url = self.base_url + path + (f"?{urlencode(params)}" if params else "")
        headers, content = {}, b""
        if body is not None:
            headers["content-type"] = "application/json"
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        try:
            status, _, data = await lean.request(
                method, url, headers, content, max_body=self._max_bytes
            )
        except OutboundError as exc:
            if exc.reason == "timeout":
                raise ChatwootUnavailable(f"Chatwoot did not answer in time: {where}") from None
            if exc.reason.startswith("too large"):
                raise ChatwootUnavailable(
                    f"Chatwoot's answer is over {self._max_bytes} bytes: {where}"
                ) from None
            raise ChatwootUnavailable(f"Chatwoot unreachable ({exc.reason}): {where}") from None
        return self._decode(status, data, where)

    async def _read_capped(self, response: httpx.Response, where: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise ChatwootUnavailable(
                    f"Chatwoot's answer is over {self._max_bytes} bytes: {where}"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _decode(status: int, data: bytes, where: str) -> Any:
        if status == 429 or status >= 500:
            detail = _error_text(data)
            suffix = f": {detail}" if detail else ""
            raise ChatwootUnavailable(f"Chatwoot answered {status} to {where}{suffix}")
        if status >= 300:
            detail = _error_text(data)
            suffix = f": {detail}" if detail else ""
            raise ChatwootRejected(f"Chatwoot answered {status} to {where}{suffix}")
        if not data.strip():
            return None
        try:
            return json.loads(data)
        except ValueError:
            raise ChatwootUnavailable(f"Chatwoot's answer is not JSON: {where}") from None
