"""Browser push on go-live (develop §3): Web Push with VAPID (RFC 8292) and payloads encrypted
for each browser (RFC 8291, `aes128gcm`), sent over httpx.

The VAPID key pair is made on first start and kept in the datastore under Owncast's names
(`browser_push_private_key`, `browser_push_public_key`). Each subscriber gets Owncast's payload
`{title, body, icon}` with `TTL: 120` and `Topic: owncast-go-live`; a push service that answers
404 or 410 has forgotten the subscription, so it is deleted. A bounded number of sends run at
once, each with a deadline, so one slow push service never holds back the rest.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import trio

from owncastd.config.settings import Settings
from owncastd.core.push import (
    BROWSER_PUSH_CHANNEL,
    BadSubscriptionError,
    PushSubscription,
    go_live_payload,
    parse_subscription,
)

if TYPE_CHECKING:
    import httpx
    from py_vapid import Vapid02

log = logging.getLogger(__name__)

PRIVATE_KEY = "browser_push_private_key"
PUBLIC_KEY = "browser_push_public_key"
VAPID_SUBJECT = "mailto:owncast@owncast.online"
SEND_TIMEOUT_SECONDS = 10.0
SENDS_AT_ONCE = 20
GONE = (404, 410)


class Subscribers(Protocol):
    """Where the subscribers are kept (:class:`owncastd.store.notifications.NotificationStore`)."""

    async def add(self, channel: str, destination: str, at: datetime) -> None: ...

    async def destinations(self, channel: str) -> list[tuple[int, str]]: ...

    async def remove(self, subscriber_id: int) -> None: ...


class KeyStore(Protocol):
    """Text values by key (:class:`owncastd.store.datastore.Datastore`)."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_text(vapid: Vapid02) -> str:
    """The VAPID public key as browsers take it (`applicationServerKey`): base64url of the
    uncompressed P-256 point."""
    from cryptography.hazmat.primitives import serialization

    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(raw)


def encrypt_for(subscription: PushSubscription, payload: bytes) -> bytes:
    """`payload` encrypted for one browser (RFC 8291, aes128gcm, a fresh ECDH key per message)."""
    import http_ece
    from cryptography.hazmat.primitives.asymmetric import ec

    return bytes(
        http_ece.encrypt(
            payload,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=subscription.p256dh,
            auth_secret=subscription.auth,
            version="aes128gcm",
        )
    )


class BrowserPush:
    """The VAPID keys, and the browser-push go-live channel (a `GoLiveChannel`)."""

    name = "browser push"

    def __init__(
        self,
        settings: Callable[[], Settings],
        subscribers: Subscribers,
        keys: KeyStore,
        *,
        user_agent: str,
        timeout: float = SEND_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._subscribers = subscribers
        self._keys = keys
        self._user_agent = user_agent
        self._timeout = timeout
        self._transport = transport
        self._vapid: Vapid02 | None = None
        self.public_key = ""  # applicationServerKey; "" until the keys are loaded
        self.last_sent = 0  # pushes accepted at the last go-live
        self.last_removed = 0  # subscribers dropped at the last go-live

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Load the VAPID keys, or make and keep them on first start; then return."""
        await self.load_keys()
        task_status.started()

    async def load_keys(self) -> None:
        """Load the public key (the private one is parsed at the first go-live, so a start
        reads two short texts and imports no crypto), or make and store the pair."""
        private, public = await self._keys.get(PRIVATE_KEY), await self._keys.get(PUBLIC_KEY)
        if private and public:
            self.public_key, self._vapid = public, None
            return
        from py_vapid import Vapid02

        vapid = Vapid02.from_pem(private.encode()) if private else Vapid02()
        if not private:
            vapid.generate_keys()
            await self._keys.put(PRIVATE_KEY, vapid.private_pem().decode())
            log.info("browser push keys made (kept in the database)")
        self.public_key = public_key_text(vapid)
        await self._keys.put(PUBLIC_KEY, self.public_key)
        self._vapid = vapid

    async def _signer(self) -> Vapid02:
        """The VAPID key pair that signs pushes (read from the database on first use)."""
        if self._vapid is None:
            from py_vapid import Vapid02

            pem = await self._keys.get(PRIVATE_KEY)
            assert pem, "load_keys() runs first"
            self._vapid = Vapid02.from_pem(pem.encode())
        return self._vapid

    async def subscribe(self, destination: str, at: datetime) -> None:
        """Keep a browser's subscription (checked by the caller with `parse_subscription`)."""
        await self._subscribers.add(BROWSER_PUSH_CHANNEL, destination, at)

    async def announce(self) -> bool:
        """Push Owncast's go-live payload to every subscriber (False when browser push is off)."""
        settings = self._settings()
        if not settings.notifications.browser.enabled or not self.public_key:
            return False
        await self._signer()  # the key pair _post signs with, parsed once
        payload = json.dumps(go_live_payload(settings)).encode()
        allow_private = settings.notifications.browser.allow_private_endpoints
        subscribers = await self._subscribers.destinations(BROWSER_PUSH_CHANNEL)
        self.last_sent = self.last_removed = 0
        limiter = trio.CapacityLimiter(SENDS_AT_ONCE)
        async with self._client() as client, trio.open_nursery() as nursery:
            for subscriber_id, destination in subscribers:
                try:
                    subscription = parse_subscription(destination, allow_private=allow_private)
                except BadSubscriptionError as exc:
                    log.info("push subscriber skipped id=%d reason=%s", subscriber_id, exc)
                    continue
                nursery.start_soon(
                    self._send, client, limiter, subscriber_id, subscription, payload
                )
        log.info(
            "browser push sent subscribers=%d delivered=%d removed=%d",
            len(subscribers),
            self.last_sent,
            self.last_removed,
        )
        return True

    def _client(self) -> httpx.AsyncClient:
        import httpx  # lazy: only a go-live moment needs it

        return httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout),
            follow_redirects=False,
            headers={"User-Agent": self._user_agent},
            transport=self._transport,
            limits=httpx.Limits(max_connections=SENDS_AT_ONCE),
        )

    async def _send(
        self,
        client: httpx.AsyncClient,
        limiter: trio.CapacityLimiter,
        subscriber_id: int,
        subscription: PushSubscription,
        payload: bytes,
    ) -> None:
        async with limiter:
            try:
                with trio.fail_after(self._timeout):
                    status = await self._post(client, subscription, payload)
            except Exception as exc:  # one push service failing must not stop the others
                log.info("push failed id=%d error=%s", subscriber_id, type(exc).__name__)
                return
        if status in GONE:
            await self._subscribers.remove(subscriber_id)
            self.last_removed += 1
        elif status < 300:
            self.last_sent += 1
        else:
            log.info("push refused id=%d status=%d", subscriber_id, status)

    async def _post(
        self, client: httpx.AsyncClient, subscription: PushSubscription, payload: bytes
    ) -> int:
        assert self._vapid is not None
        parts = urlsplit(subscription.endpoint)
        claims = {
            "sub": VAPID_SUBJECT,
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + 12 * 3600,
        }
        headers = {
            **self._vapid.sign(claims),
            "TTL": "120",
            "Topic": "owncast-go-live",
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        body = encrypt_for(subscription, payload)
        response = await client.post(subscription.endpoint, content=body, headers=headers)
        return response.status_code
