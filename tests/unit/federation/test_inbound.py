"""Who sent an inbound activity: the key cache (TTL, size bound, failures remembered) and the
signature check's refusals (http keyId, blocked domain by substring, blocked actor, actor on
another host, a rotated key fetched again)."""

from __future__ import annotations

import json
import time

import pytest

from owncastd.core.federation.inbound import RequestRefused
from owncastd.core.federation.ports import FederationError
from owncastd.federation.httpsig import sign_request
from owncastd.federation.inbound import ActorCache, SignatureCheck
from owncastd.federation.keys import ServerKey

ACTOR = "https://remote.example/users/alice"
INBOX = "https://live.example/federation/user/streamer/inbox"


@pytest.fixture(scope="module")
def keys() -> tuple[ServerKey, ServerKey]:
    return ServerKey.generate(), ServerKey.generate()


class FakeHttp:
    """`get_json` over a dict of documents, counting fetches."""

    def __init__(self, documents: dict[str, object]) -> None:
        self.documents = documents
        self.fetched: list[str] = []

    async def get_json(self, url: str) -> object:
        self.fetched.append(url)
        if url not in self.documents:
            raise FederationError("remote.example answered 404")
        return self.documents[url]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def actor_doc(key: ServerKey, actor: str = ACTOR) -> dict[str, object]:
    return {"id": actor, "type": "Person", "inbox": f"{actor}/inbox",
            "publicKey": {"id": f"{actor}#main-key", "owner": actor,
                          "publicKeyPem": key.public_pem}}  # fmt: skip


def cache_over(http: FakeHttp, clock: Clock, **kw: float) -> ActorCache:
    async def client() -> FakeHttp:
        return http

    return ActorCache(client, clock, **kw)  # type: ignore[arg-type]


async def test_cache_keeps_documents_for_the_ttl_within_its_size(keys):
    http, clock = FakeHttp({ACTOR: actor_doc(keys[0]), "https://b/u": {"id": "b"}}), Clock()
    cache = cache_over(http, clock, ttl=60, size=1)
    await cache.actor(f"{ACTOR}#main-key")
    await cache.actor(ACTOR)
    assert http.fetched == [ACTOR]  # the fragment is the same document
    clock.now += 61
    await cache.actor(ACTOR)
    assert http.fetched == [ACTOR, ACTOR]
    await cache.actor("https://b/u")  # size 1: the actor is pushed out
    assert not cache.cached(ACTOR)
    with pytest.raises(FederationError):
        await cache.actor("https://gone.example/u")
    with pytest.raises(FederationError):
        await cache.actor("https://gone.example/u")
    assert http.fetched.count("https://gone.example/u") == 1  # the failure is remembered


def signed(key: ServerKey, activity: dict[str, object], key_id: str = f"{ACTOR}#main-key"):
    body = json.dumps(activity).encode()
    headers = sign_request(key.private, key_id, "POST", INBOX, body, time.time())
    return {k.lower(): v for k, v in headers.items()}, body


def checker(http: FakeHttp, *, blocked_domains=(), blocked_actors=(), allow_http=False):
    async def is_blocked(iri: str) -> bool:
        return iri in blocked_actors

    return SignatureCheck(
        cache_over(http, Clock()),
        time.time,
        blocked_domains=lambda: blocked_domains,
        is_blocked=is_blocked,
        allow_http=lambda: allow_http,
    )


async def verify(check: SignatureCheck, headers, body, activity):
    path = "/federation/user/streamer/inbox"
    return await check.verify("POST", path, headers, body, activity)


async def test_a_good_signature_names_the_key_owner(keys):
    activity = {"type": "Follow", "actor": {"id": ACTOR}}
    headers, body = signed(keys[0], activity)
    sender = await verify(checker(FakeHttp({ACTOR: actor_doc(keys[0])})), headers, body, activity)
    assert sender.actor == ACTOR and sender.document["inbox"] == f"{ACTOR}/inbox"


@pytest.mark.parametrize(
    ("options", "activity", "message"),
    [
        ({"blocked_domains": ("mote.exa",)}, {"actor": ACTOR}, "domain is blocked"),
        ({"blocked_actors": (ACTOR,)}, {"actor": ACTOR}, "actor is blocked"),
        ({}, {"actor": "https://other.example/users/alice"}, "not on the signer's host"),
        ({}, {"type": "Like"}, "has no actor"),
    ],
)
async def test_refusals(keys, options, activity, message):
    headers, body = signed(keys[0], activity)
    check = checker(FakeHttp({ACTOR: actor_doc(keys[0])}), **options)
    with pytest.raises(RequestRefused, match=message):
        await verify(check, headers, body, activity)


async def test_an_http_key_id_needs_allow_private(keys):
    actor = "http://remote.example/users/alice"
    activity = {"actor": actor}
    headers, body = signed(keys[0], activity, key_id=f"{actor}#main-key")
    http = FakeHttp({actor: actor_doc(keys[0], actor)})
    with pytest.raises(RequestRefused, match="https"):
        await verify(checker(http), headers, body, activity)
    assert (await verify(checker(http, allow_http=True), headers, body, activity)).actor == actor


async def test_a_rotated_key_is_fetched_again_once(keys):
    http = FakeHttp({ACTOR: actor_doc(keys[0])})
    check = checker(http)
    activity = {"actor": ACTOR}
    await verify(check, *signed(keys[0], activity), activity)
    http.documents[ACTOR] = actor_doc(keys[1])  # the remote made a new key
    assert (await verify(check, *signed(keys[1], activity), activity)).actor == ACTOR
    assert http.fetched == [ACTOR, ACTOR]
    with pytest.raises(RequestRefused, match="does not match"):
        await verify(check, *signed(keys[0], activity), activity)


@pytest.mark.parametrize(
    "pem",
    [
        "not a pem",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        # an Ed25519 key: not RSA
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
        "-----END PUBLIC KEY-----\n",
        # an EC key on a curve cryptography does not support (UnsupportedAlgorithm)
        "-----BEGIN PUBLIC KEY-----\n"
        "MDIwEAYHKoZIzj0CAQYFK4EEAAYDHgAEHZvdmDYtM3fpOj+X6nsiPd5dpMptn6Zh\n"
        "KkdWpA==\n-----END PUBLIC KEY-----\n",
    ],
)
async def test_a_bad_published_key_is_a_refusal_not_a_crash(keys, pem):
    document = actor_doc(keys[0])
    document["publicKey"]["publicKeyPem"] = pem  # type: ignore[index]
    activity = {"actor": ACTOR}
    with pytest.raises(RequestRefused, match="not an RSA public key"):
        await verify(checker(FakeHttp({ACTOR: document})), *signed(keys[0], activity), activity)
