"""Browser push as Owncast's web client sees it (develop §3): `/api/config` offers the VAPID
public key, `POST /api/notifications/register?accessToken=` keeps a subscription, and the
go-live push reaches each subscriber's push service encrypted for that browser (RFC 8291) and
signed with the server's VAPID key (RFC 8292); a push service answering 410 or 404 loses the
subscriber."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import http_ece
import pytest
import trio
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from owncastd.core.push import BROWSER_PUSH_CHANNEL
from tests.component.integration_fixtures import IntegrationServer, start_integration_server
from tests.component.webhook_receiver import WebhookReceiver

REGISTER = "/api/notifications/register"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A subscriber's keys, as a browser's PushManager makes them."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> str:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64url(public), "auth": b64url(self.auth)}
        return json.dumps({"endpoint": self.endpoint, "expirationTime": None, "keys": keys})

    def decrypt(self, body: bytes) -> Any:
        clear = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(clear)


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    server = await start_integration_server(nursery, tmp_path)
    assert server.control.push is not None
    await nursery.start(server.control.push.run)
    server.configure("notifications", browser=server.settings.current.notifications.browser)
    return server


def allow_loopback_push(server: IntegrationServer) -> None:
    from dataclasses import replace

    browser = server.settings.current.notifications.browser
    server.configure("notifications", browser=replace(browser, allow_private_endpoints=True))


async def register(server: IntegrationServer, body: Any, token: str | None, method: str = "POST"):
    query = {"accessToken": token} if token else {}
    async with server.http() as client:
        return await client.request(method, REGISTER, params=query, json=body)


async def chat_token(server: IntegrationServer) -> str:
    async with server.http() as client:
        user = (await client.post("/api/chat/register", json={"displayName": "fan"})).json()
    return user["accessToken"]


async def test_config_offers_the_vapid_key_and_register_keeps_a_subscription(server):
    async with server.http() as client:
        config = (await client.get("/api/config")).json()
    browser_config = config["notifications"]["browser"]
    assert browser_config["enabled"] is True
    assert len(unb64url(browser_config["publicKey"])) == 65  # uncompressed P-256 point
    token = await chat_token(server)
    browser = Browser("https://push.example.net/send/abc")
    body = {"channel": BROWSER_PUSH_CHANNEL, "destination": browser.subscription()}

    response = await register(server, body, token)
    assert (response.status_code, response.content) == (200, b"")
    await register(server, body, token)  # the same browser again is kept once
    subscribers = server.control.push._subscribers  # the NotificationStore
    assert await subscribers.destinations(BROWSER_PUSH_CHANNEL) == [(1, body["destination"])]


@pytest.mark.parametrize(
    ("method", "body", "with_token", "status", "message"),
    [
        ("GET", None, True, 400, "GET not supported"),
        ("POST", {"channel": BROWSER_PUSH_CHANNEL, "destination": "{}"}, False, 401, None),
        (
            "POST",
            {"channel": "SMS", "destination": "x"},
            True,
            400,
            "invalid notification channel: SMS",
        ),
        (
            "POST",
            {"channel": BROWSER_PUSH_CHANNEL, "destination": "not json"},
            True,
            400,
            "invalid push subscription: destination is not a PushSubscription in JSON",
        ),
        (
            "POST",
            {
                "channel": BROWSER_PUSH_CHANNEL,
                "destination": '{"endpoint": "http://127.0.0.1:9/x", "keys": {}}',
            },
            True,
            400,
            "invalid push subscription: endpoint must be an https:// URL of a push service",
        ),
        (
            "POST",
            {
                "channel": BROWSER_PUSH_CHANNEL,
                "destination": '{"endpoint": "https://10.0.0.8/x", "keys": {}}',
            },
            True,
            400,
            "invalid push subscription: endpoint must not be a local or private address",
        ),
        (
            "POST",
            {
                "channel": BROWSER_PUSH_CHANNEL,
                "destination": '{"endpoint": "https://push.example/x",'
                ' "keys": {"p256dh": "AAAA", "auth": "AAAA"}}',
            },
            True,
            400,
            "invalid push subscription: keys.p256dh is not an uncompressed P-256 public key",
        ),
    ],
)
async def test_bad_registrations_get_a_clear_answer_and_keep_nothing(
    server, method, body, with_token, status, message
):
    token = await chat_token(server) if with_token else None
    response = await register(server, body, token, method)
    assert response.status_code == status, response.text
    if message is not None:
        assert response.json() == {"success": False, "message": message}
    assert await server.control.push._subscribers.destinations(BROWSER_PUSH_CHANNEL) == []


async def test_push_switched_off_is_not_offered_and_refuses_registrations(server):
    response = await server.admin(
        "POST", "/api/admin/config/notifications/browser", json={"value": {"enabled": False}}
    )
    assert response.status_code == 200, response.text
    async with server.http() as client:
        config = (await client.get("/api/config")).json()
    assert config["notifications"]["browser"] == {"enabled": False}
    body = {
        "channel": BROWSER_PUSH_CHANNEL,
        "destination": Browser("https://p.example/x").subscription(),
    }
    response = await register(server, body, await chat_token(server))
    assert response.status_code == 400
    assert response.json()["message"] == "browser push notifications are switched off"


def verify_vapid(authorization: str, public_key_text: str, audience: str) -> dict[str, Any]:
    """Check the `vapid t=<JWT>,k=<key>` header with our own ES256 verification."""
    scheme, _, params = authorization.partition(" ")
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == public_key_text
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    signature = unb64url(signature_b64)
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience and claims["sub"] == "mailto:owncast@owncast.online"
    return claims


async def test_go_live_push_is_encrypted_signed_and_gone_subscribers_are_dropped(server, nursery):
    allow_loopback_push(server)
    live = await WebhookReceiver(statuses=[201]).start(nursery)
    gone = await WebhookReceiver(statuses=[410]).start(nursery)
    token = await chat_token(server)
    fan = Browser(f"http://127.0.0.1:{live.port}/push/fan")
    left = Browser(f"http://127.0.0.1:{gone.port}/push/left")
    for browser in (fan, left):
        body = {"channel": BROWSER_PUSH_CHANNEL, "destination": browser.subscription()}
        assert (await register(server, body, token)).status_code == 200
    push = server.control.push

    with trio.fail_after(20):
        await push.announce()

    got = await live.next()
    assert got.path == "/push/fan"
    assert got.headers["ttl"] == "120" and got.headers["topic"] == "owncast-go-live"
    assert got.headers["content-encoding"] == "aes128gcm"
    verify_vapid(got.headers["authorization"], push.public_key, f"http://127.0.0.1:{live.port}")
    settings = server.settings.current
    assert fan.decrypt(got.body) == {
        "title": settings.server.name,
        "body": settings.notifications.browser.go_live_message,
        "icon": "/logo/external",
    }
    assert (await gone.next()).path == "/push/left"
    remaining = await push._subscribers.destinations(BROWSER_PUSH_CHANNEL)
    assert [json.loads(destination)["endpoint"] for _, destination in remaining] == [fan.endpoint]
    assert (push.last_sent, push.last_removed) == (1, 1)


async def test_the_keys_are_made_once_and_kept(server, nursery):
    push = server.control.push
    first = push.public_key
    await push.load_keys()  # as a restart does: the stored pair is loaded, not replaced
    assert push.public_key == first


async def test_after_a_restart_the_stored_pair_signs_the_push(server, nursery):
    allow_loopback_push(server)
    push = server.control.push
    await push.load_keys()  # a restart: the private key is parsed only when a push goes out
    receiver = await WebhookReceiver(statuses=[201]).start(nursery)
    fan = Browser(f"http://127.0.0.1:{receiver.port}/push/fan")
    body = {"channel": BROWSER_PUSH_CHANNEL, "destination": fan.subscription()}
    assert (await register(server, body, await chat_token(server))).status_code == 200
    with trio.fail_after(20):
        await push.announce()
    got = await receiver.next()
    verify_vapid(got.headers["authorization"], push.public_key, f"http://127.0.0.1:{receiver.port}")
    assert fan.decrypt(got.body)["icon"] == "/logo/external"
