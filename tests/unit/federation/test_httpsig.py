"""Draft-cavage signatures: what we sign verifies, and every kind of tampering is refused."""

from __future__ import annotations

import time

import pytest

from owncastd.federation.httpsig import (
    SignatureError,
    parse_signature,
    sign_request,
    verify_request,
)
from owncastd.federation.keys import ServerKey

INBOX = "https://remote.example/users/alice/inbox"
BODY = b'{"type":"Follow"}'


@pytest.fixture(scope="module")
def key() -> ServerKey:
    return ServerKey.generate()


def _verify(key: ServerKey, headers: dict[str, str], body: bytes = BODY, **kw: object) -> None:
    lowered = {name.lower(): value for name, value in headers.items()}
    params = parse_signature(lowered["signature"])
    verify_request(
        params,
        key.private.public_key(),
        str(kw.get("method", "POST")),
        str(kw.get("target", "/users/alice/inbox")),
        lowered,
        body,
        float(kw.get("now", time.time())),  # type: ignore[arg-type]
    )


def test_a_signed_post_verifies_and_names_mastodons_headers(key: ServerKey) -> None:
    headers = sign_request(
        key.private, "https://us.example/a#main-key", "POST", INBOX, BODY, time.time()
    )
    assert headers["Host"] == "remote.example"
    assert headers["Digest"].startswith("SHA-256=")
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    assert parse_signature(headers["Signature"]).key_id == "https://us.example/a#main-key"
    _verify(key, headers)


def test_a_signed_get_covers_no_digest(key: ServerKey) -> None:
    headers = sign_request(key.private, "k", "GET", "https://r.example/u?x=1", None, time.time())
    assert "Digest" not in headers
    _verify(key, headers, b"", method="GET", target="/u?x=1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": b'{"type":"Like"}'}, "Digest does not match"),
        ({"target": "/users/bob/inbox"}, "does not match"),
        ({"now": time.time() + 7200}, "outside the accepted window"),
        ({"method": "GET"}, "does not match"),
    ],
)
def test_tampering_is_refused(key: ServerKey, change: dict[str, object], message: str) -> None:
    headers = sign_request(key.private, "k", "POST", INBOX, BODY, time.time())
    body = change.pop("body", BODY)
    with pytest.raises(SignatureError, match=message):
        _verify(key, headers, body, **change)  # type: ignore[arg-type]


def test_another_key_does_not_verify(key: ServerKey) -> None:
    headers = sign_request(ServerKey.generate().private, "k", "POST", INBOX, BODY, time.time())
    with pytest.raises(SignatureError, match="does not match"):
        _verify(key, headers)


def test_a_post_whose_signature_skips_the_digest_is_refused(key: ServerKey) -> None:
    headers = sign_request(key.private, "k", "GET", INBOX, None, time.time())
    with pytest.raises(SignatureError, match="does not cover digest"):
        _verify(key, headers)


@pytest.mark.parametrize(
    "value",
    [
        'keyId="k"',
        'signature="AAAA"',
        'keyId="k",signature="%%%"',
        "garbage",
        'keyId="k" signature="x"',
    ],
)
def test_malformed_signature_headers_are_refused(value: str) -> None:
    with pytest.raises(SignatureError):
        parse_signature(value)


def test_a_key_survives_its_pem_round_trip(key: ServerKey) -> None:
    again = ServerKey.from_private_pem(key.private_pem())
    assert again.public_pem == key.public_pem
    assert again.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
