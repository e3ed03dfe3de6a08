"""A small Mastodon-like remote server on loopback for the federation tests, whose HTTP
signatures are made and checked by an independent implementation (`apsig`, its own draft-cavage
code), not by owncastd's `httpsig`.

It serves webfinger, its actor document (``/users/<name>``, with its public key) and an inbox that
verifies every POST against the *sender's* key (fetched from the keyId's actor document) with
apsig, recording what arrived and whether it verified. `post` sends a signed activity (signed
by apsig) as one of its users.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urldefrag, urlsplit

import h11
import httpx
import trio
from apsig.draft.sign import Signer
from apsig.draft.verify import Verifier
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.loopback_http import Answer, serve_h11

AS = "https://www.w3.org/ns/activitystreams"
AP_JSON = "application/activity+json"


@lru_cache(maxsize=2)
def remote_key(n: int = 0) -> rsa.RSAPrivateKey:
    """An RSA-2048 key, made once per test run (`n` picks another one)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    """The PKIX PEM of `key`'s public half."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass(frozen=True)
class Delivery:
    """A POST to the remote inbox: the activity, and apsig's verdict on its signature."""

    path: str
    activity: dict[str, Any]
    verified: bool
    problem: str = ""


@dataclass
class RemoteServer:
    """The remote instance: `actor(name)` is an actor IRI, `inbox_of(name)` its inbox."""

    key: rsa.RSAPrivateKey = field(default_factory=remote_key)
    port: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    fetched: list[tuple[str, bool]] = field(default_factory=list)  # (path, GET signed ok)

    def __post_init__(self) -> None:
        self._send, self._receive = trio.open_memory_channel[Delivery](100)

    @property
    def base(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def actor(self, name: str = "alice") -> str:
        """A user's actor IRI."""
        return f"{self.base}/users/{name}"

    def inbox_of(self, name: str = "alice") -> str:
        """A user's inbox."""
        return f"{self.actor(name)}/inbox"

    def actor_document(self, name: str) -> dict[str, Any]:
        """The Person document, with its public key and a shared inbox."""
        actor = self.actor(name)
        return {
            "@context": [AS, "https://w3id.org/security/v1"],
            "id": actor,
            "type": "Person",
            "preferredUsername": name,
            "name": f"<b>{name.title()}</b> Remote",
            "inbox": f"{actor}/inbox",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "icon": {"type": "Image", "url": f"{self.base}/avatars/{name}.png"},
            "publicKey": {
                "id": f"{actor}#main-key",
                "owner": actor,
                "publicKeyPem": public_pem(self.key),
            },
        }

    async def start(self, nursery: trio.Nursery) -> RemoteServer:
        """Listen on 127.0.0.1 (port 0) in `nursery`."""
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        self.port = listeners[0].socket.getsockname()[1]
        nursery.start_soon(trio.serve_listeners, self._serve, listeners)
        return self

    async def next_delivery(self, timeout: float = 10) -> Delivery:  # noqa: ASYNC109
        """The next POST to an inbox here (fails after `timeout` seconds)."""
        with trio.fail_after(timeout):
            return await self._receive.receive()

    def signed_headers(
        self,
        url: str,
        body: bytes,
        name: str = "alice",
        key: rsa.RSAPrivateKey | None = None,
        date: str | None = None,
    ) -> dict[str, str]:
        """apsig's signature headers for POSTing `body` to `url` as `name` (with `key`
        instead of the published one, or an explicit Date, to forge bad requests)."""
        headers = {"Content-Type": AP_JSON, "Host": httpx.URL(url).netloc.decode()}
        if date is not None:
            headers["Date"] = date
        signer = Signer(
            headers=headers,
            private_key=key or self.key,
            method="POST",
            url=url,
            key_id=f"{self.actor(name)}#main-key",
            body=body,
        )
        return {str(k): str(v) for k, v in signer.sign().items() if k.lower() != "authorization"}

    async def post(
        self,
        url: str,
        activity: dict[str, Any],
        name: str = "alice",
        *,
        key: rsa.RSAPrivateKey | None = None,
        date: str | None = None,
        body: bytes | None = None,
        **overrides: str,
    ) -> httpx.Response:
        """POST `activity` (or raw `body`) to `url`, signed by apsig as `name`; `overrides`
        replace headers after signing (e.g. a wrong ``digest``)."""
        body = json.dumps(activity).encode() if body is None else body
        headers = self.signed_headers(url, body, name, key, date)
        for header, value in overrides.items():
            headers = {k: v for k, v in headers.items() if k.lower() != header.lower()}
            headers[header] = value
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(url, content=body, headers=headers)

    async def _verify(self, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
        """ "" when apsig accepts the request's signature with the signer's published key."""
        signature = headers.get("signature", "")
        key_id = next(
            (p.split("=", 1)[1].strip('"') for p in signature.split(",") if p.startswith("keyId")),
            "",
        )
        if not key_id:
            return "unsigned"
        async with httpx.AsyncClient(timeout=10) as client:
            actor = (await client.get(urldefrag(key_id).url, headers={"Accept": AP_JSON})).json()
        pem = actor["publicKey"]["publicKeyPem"]
        try:
            Verifier(pem, method, f"{self.base}{path}", headers, body or None).verify(
                raise_on_fail=True
            )
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return ""

    def webfinger(self, target: str) -> tuple[int, bytes]:
        """The JRD of ``acct:<name>@127.0.0.1:<port>`` (a `self` link to the actor)."""
        resource = parse_qs(urlsplit(target).query).get("resource", [""])[0]
        name, _, host = resource.removeprefix("acct:").partition("@")
        if not name or host != f"127.0.0.1:{self.port}":
            return 404, b""
        links = [{"rel": "self", "type": AP_JSON, "href": self.actor(name)}]
        return 200, json.dumps({"subject": resource, "links": links}).encode()

    async def _respond(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        if method == "GET" and path.startswith("/.well-known/webfinger"):
            return self.webfinger(path)
        if method == "GET" and path.startswith("/users/"):
            name = path.split("/")[2].split("#")[0]
            self.fetched.append((path, await self._verify(method, path, headers, b"") == ""))
            return 200, json.dumps(self.actor_document(name)).encode()
        if method == "POST" and path.endswith("inbox"):
            problem = await self._verify(method, path, headers, body)
            delivery = Delivery(path, json.loads(body), not problem, problem)
            self.deliveries.append(delivery)
            self._send.send_nowait(delivery)
            return 202, b""
        return 404, b""

    async def _serve(self, stream: trio.SocketStream) -> None:
        await serve_h11(stream, self._answer)

    async def _answer(self, request: h11.Request, body: bytes) -> Answer:
        headers = {k.decode().lower(): v.decode() for k, v in request.headers}
        status, reply = await self._respond(
            request.method.decode(), request.target.decode(), headers, body
        )
        return status, [("Content-Type", AP_JSON)], reply
