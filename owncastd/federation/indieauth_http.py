"""The IndieAuth client's fetches (`owncastd.core.identity.indieauth_client.IndieAuthWeb`): the
viewer's page and the code exchange, each with a deadline and a 1 MiB cap, never to a loopback
or private address unless `allow_private` says so (read at each request), redirects not
followed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import trio

from owncastd.core.federation.ports import FederationError
from owncastd.core.identity.indieauth_client import IndieAuthError
from owncastd.federation.capped_read import host_of, read_capped

if TYPE_CHECKING:
    import httpx

REQUEST_SECONDS = 10.0
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)


class IndieAuthHttp:
    """httpx-based fetches for the IndieAuth client."""

    def __init__(
        self,
        *,
        user_agent: str,
        allow_private: Callable[[], bool] = lambda: False,
        timeout: float = REQUEST_SECONDS,
    ) -> None:
        self._user_agent, self._allow_private, self._timeout = user_agent, allow_private, timeout

    async def fetch_page(self, url: str) -> tuple[str, list[str]]:
        """The page's text and Link headers, following up to MAX_REDIRECTS redirects (each
        hop checked like the first); IndieAuthError when it can't be had. A page answered
        with an error status is still read (it names no endpoint, as in Owncast)."""
        for _ in range(MAX_REDIRECTS + 1):
            status, body, headers = await self._request("GET", url, headers={"Accept": "text/html"})
            location = headers.get("location")
            if status not in REDIRECTS or not location:
                return body.decode("utf-8", "replace"), headers.get_list("link")
            url = urljoin(url, location)
        raise IndieAuthError("unable to get authorization endpoint: too many redirects")

    async def redeem(self, endpoint: str, form: dict[str, str]) -> tuple[int, Any]:
        """POST the form to the endpoint; its status and JSON (None when not JSON)."""
        status, body, _headers = await self._request(
            "POST", endpoint, data=form, headers={"Accept": "application/json"}
        )
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None

    async def _request(
        self, method: str, url: str, **kwargs: Any
    ) -> tuple[int, bytes, httpx.Headers]:
        import httpx

        from owncastd.federation.signed_http import check_destination  # imports cryptography

        try:
            check_destination(url, allow_private=self._allow_private())
        except FederationError as exc:
            raise IndieAuthError(f"unable to get authorization endpoint: {exc}") from None
        try:
            with trio.fail_after(self._timeout):
                async with (
                    httpx.AsyncClient(
                        timeout=self._timeout, headers={"User-Agent": self._user_agent}
                    ) as client,
                    client.stream(method, url, **kwargs) as response,
                ):
                    body = await read_capped(response, IndieAuthError)
                    return response.status_code, body, response.headers
        except trio.TooSlowError:
            raise IndieAuthError(f"{host_of(url)} did not answer in time") from None
        except IndieAuthError:
            raise
        except Exception as exc:  # httpx's errors: refused, reset, bad response
            raise IndieAuthError(f"{host_of(url)}: {type(exc).__name__}") from None
