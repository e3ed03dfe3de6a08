"""HTTP signatures as Mastodon uses them (draft-cavage-http-signatures-12, `rsa-sha256`).

Outbound POSTs sign ``(request-target) host date digest``; outbound GETs ``(request-target) host
date`` (develop §1.5). Inbound requests are verified against the sender's listed headers, with the
body's ``Digest`` recomputed and the ``Date`` kept within a window. Pure functions over bytes and
header mappings, with the keys as `cryptography` objects.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

POST_HEADERS = ("(request-target)", "host", "date", "digest")
GET_HEADERS = ("(request-target)", "host", "date")
MAX_DATE_SKEW_SECONDS = 3600.0  # Owncast develop: > 1 h old or in the future is refused
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')
_HASHES = {"rsa-sha256": hashes.SHA256, "hs2019": hashes.SHA256, "rsa-sha512": hashes.SHA512}


class SignatureError(Exception):
    """The request's signature is missing, malformed or wrong (the message says which)."""


@dataclass(frozen=True)
class SignatureParams:
    """A parsed ``Signature`` header."""

    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes


def digest_header(body: bytes) -> str:
    """The ``Digest`` header value for `body` (``SHA-256=<base64>``)."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(now: float) -> str:
    """`now` (Unix seconds) as an RFC 1123 ``Date`` header value."""
    return formatdate(now, usegmt=True)


def request_target(method: str, url_or_path: str) -> str:
    """The ``(request-target)`` pseudo-header: lower-case method, path and query."""
    parts = urlsplit(url_or_path)
    path = parts.path or "/"
    return f"{method.lower()} {path}?{parts.query}" if parts.query else f"{method.lower()} {path}"


def sign_request(
    key: rsa.RSAPrivateKey, key_id: str, method: str, url: str, body: bytes | None, now: float
) -> dict[str, str]:
    """The headers to add to a request so that it is signed: Host, Date, Digest (with a body)
    and Signature. `url` is the absolute URL requested."""
    values = {"host": urlsplit(url).netloc, "date": http_date(now)}
    names: tuple[str, ...] = GET_HEADERS
    if body is not None:
        values["digest"] = digest_header(body)
        names = POST_HEADERS
    values["(request-target)"] = request_target(method, url)
    headers = {name.capitalize(): values[name] for name in names if name != "(request-target)"}
    headers["Signature"] = signature_header(key, key_id, names, values)
    return headers


def signature_header(
    key: rsa.RSAPrivateKey, key_id: str, names: tuple[str, ...], values: dict[str, str]
) -> str:
    """The ``Signature`` value (`rsa-sha256`) covering the headers `names`, whose values (by
    lower-case name, ``(request-target)`` included) are in `values`."""
    text = "\n".join(f"{name}: {values[name]}" for name in names)
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    return (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )


def parse_signature(value: str) -> SignatureParams:
    """The parts of a ``Signature`` header; SignatureError when it is malformed."""
    params: dict[str, str] = {}
    position = 0
    while position < len(value):
        match = _PARAM.match(value, position)
        if not match:
            raise SignatureError("malformed Signature header")
        params[match.group(1).lower()] = match.group(2)
        position = match.end()
    if not params.get("keyid") or not params.get("signature"):
        raise SignatureError("Signature header lacks keyId or signature")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("Signature is not base64") from None
    names = tuple(params.get("headers", "date").lower().split())
    return SignatureParams(params["keyid"], params.get("algorithm", "rsa-sha256"), names, signature)


def verify_request(
    params: SignatureParams,
    key: rsa.RSAPublicKey,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    *,
    max_skew: float = MAX_DATE_SKEW_SECONDS,
) -> None:
    """Check a signed request; SignatureError says what is wrong. `target` is the path and
    query requested, `headers` maps lower-case names to values. A POST must sign
    ``(request-target)``, ``host``, ``date`` and ``digest``, and its Digest must match `body`."""
    required = POST_HEADERS if method.upper() == "POST" else GET_HEADERS
    if missing := [name for name in required if name not in params.headers]:
        raise SignatureError(f"the signature does not cover {', '.join(missing)}")
    if "digest" in params.headers:
        _check_digest(headers.get("digest", ""), body)
    _check_date(headers.get("date", ""), now, max_skew)
    lines = []
    for name in params.headers:
        if name == "(request-target)":
            lines.append(f"{name}: {request_target(method, target)}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"signed header {name} is missing")
    algorithm = _HASHES.get(params.algorithm.lower())
    if algorithm is None:
        raise SignatureError(f"unsupported signature algorithm {params.algorithm}")
    try:
        key.verify(params.signature, "\n".join(lines).encode(), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise SignatureError("the signature does not match") from None


def _check_digest(value: str, body: bytes) -> None:
    algorithm, _, encoded = value.partition("=")
    if algorithm.upper() != "SHA-256":
        raise SignatureError("Digest must be SHA-256")
    if value[len(algorithm) + 1 :] != digest_header(body).partition("=")[2] or not encoded:
        raise SignatureError("Digest does not match the body")


def _check_date(value: str, now: float, max_skew: float) -> None:
    try:
        sent = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        raise SignatureError("Date header is missing or malformed") from None
    if abs(now - sent) > max_skew:
        raise SignatureError("Date is outside the accepted window")
