"""Browser push subscriptions (develop §3): what a viewer registers and what a go-live sends.

A viewer's browser registers a W3C `PushSubscription` (as JSON text) through
`POST /api/notifications/register`. Owncast stores it verbatim; here it is checked first, so
the go-live moment never posts to something that is not a push service: the endpoint must be an
https URL whose host is not a loopback, private or link-local address (a test or a private push
service may allow those with `[notifications.browser] allow_private_endpoints`), and the keys
must be a P-256 public key and a 16-byte auth secret, base64url-encoded.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from owncastd.config.settings import Settings
from owncastd.errors import OwncastdError

BROWSER_PUSH_CHANNEL = "BROWSER_PUSH_NOTIFICATION"
MAX_DESTINATION_BYTES = 4096
MAX_ENDPOINT_CHARS = 2048


class BadSubscriptionError(OwncastdError):
    """A registered push subscription that cannot be used (the message says why)."""


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A browser's push endpoint and the keys its payloads are encrypted for."""

    endpoint: str
    p256dh: bytes  # the browser's P-256 public key, uncompressed (65 bytes)
    auth: bytes  # the 16-byte auth secret


def _b64url(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise BadSubscriptionError(f"keys.{name} is required (base64url text)")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise BadSubscriptionError(f"keys.{name} is not base64url") from None


def _check_endpoint(endpoint: object, allow_private: bool) -> str:
    if not isinstance(endpoint, str) or not endpoint:
        raise BadSubscriptionError("endpoint is required")
    if len(endpoint) > MAX_ENDPOINT_CHARS:
        raise BadSubscriptionError(f"endpoint is longer than {MAX_ENDPOINT_CHARS} characters")
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise BadSubscriptionError("endpoint must be an https:// URL of a push service")
    if not allow_private and _is_private_host(parts.hostname):
        raise BadSubscriptionError("endpoint must not be a local or private address")
    return endpoint


def _is_private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def parse_subscription(destination: str, *, allow_private: bool = False) -> PushSubscription:
    """The subscription in `destination` (PushSubscription JSON), or BadSubscriptionError."""
    if len(destination.encode()) > MAX_DESTINATION_BYTES:
        raise BadSubscriptionError(f"destination is larger than {MAX_DESTINATION_BYTES} bytes")
    try:
        data = json.loads(destination)
    except (ValueError, RecursionError):
        raise BadSubscriptionError("destination is not a PushSubscription in JSON") from None
    if not isinstance(data, dict):
        raise BadSubscriptionError("destination is not a PushSubscription in JSON")
    endpoint = _check_endpoint(data.get("endpoint"), allow_private)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise BadSubscriptionError("keys is required ({p256dh, auth})")
    p256dh, auth = _b64url(keys.get("p256dh"), "p256dh"), _b64url(keys.get("auth"), "auth")
    if len(p256dh) != 65 or p256dh[0] != 4:
        raise BadSubscriptionError("keys.p256dh is not an uncompressed P-256 public key")
    if len(auth) != 16:
        raise BadSubscriptionError("keys.auth must be 16 bytes")
    return PushSubscription(endpoint, p256dh, auth)


def go_live_payload(settings: Settings) -> dict[str, str]:
    """What each subscriber is sent on go-live: `{title, body, icon}` (Owncast's)."""
    return {
        "title": settings.server.name,
        "body": settings.notifications.browser.go_live_message,
        "icon": "/logo/external",
    }
