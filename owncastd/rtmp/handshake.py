"""The server side of the RTMP handshake (C0/C1 → S0/S1/S2 → C2), sans-IO.

Two flavours, chosen from C1 as nginx-rtmp does:

* **simple**: S1 is a zero time, zeros and random bytes; S2 echoes C1.
* **digest** (Flash Player 9 "complex" handshake, sent by ffmpeg, librtmp and OBS): C1 carries
  an HMAC-SHA256 digest keyed with "Genuine Adobe Flash Player 001", at an offset given by
  schema 0 (offset bytes at 8) or schema 1 (offset bytes at 772). We then digest S1 with
  "Genuine Adobe Flash Media Server 001" in the client's schema, and end S2 with
  HMAC(HMAC(full server key, client digest), S2[:-32]).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from owncastd.errors import RtmpProtocolError

RTMP_VERSION = 3
SIZE = 1536
DIGEST_LEN = 32

_KEY_TAIL = bytes.fromhex("f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae")
CLIENT_PARTIAL_KEY = b"Genuine Adobe Flash Player 001"
SERVER_PARTIAL_KEY = b"Genuine Adobe Flash Media Server 001"
SERVER_FULL_KEY = SERVER_PARTIAL_KEY + _KEY_TAIL
SERVER_VERSION = b"\x0d\x0e\x0a\x0d"

# Where the 4 offset bytes sit for digest schema 0 and schema 1.
SCHEMA_BASES = (8, 772)


def hmac_sha256(key: bytes, data: bytes | bytearray) -> bytes:
    """HMAC-SHA256 of `data`."""
    return hmac.digest(key, data, hashlib.sha256)


def digest_offset(block: bytes | bytearray, schema: int) -> int:
    """Offset of the 32-byte digest inside a 1536-byte C1/S1 for `schema` (0 or 1)."""
    base = SCHEMA_BASES[schema]
    return sum(block[base : base + 4]) % 728 + base + 4


def block_digest(block: bytes | bytearray, offset: int, key: bytes) -> bytes:
    """The digest of `block` without the 32 bytes at `offset`."""
    return hmac_sha256(key, block[:offset] + block[offset + DIGEST_LEN :])


def find_client_digest(c1: bytes) -> tuple[int, bytes] | None:
    """Return (schema, digest) if C1 carries a valid Flash Player digest, else None."""
    if c1[4:8] == b"\x00\x00\x00\x00":
        return None
    for schema in (1, 0):  # nginx-rtmp tries offset base 772 first, then 8
        offset = digest_offset(c1, schema)
        digest = c1[offset : offset + DIGEST_LEN]
        if hmac.compare_digest(block_digest(c1, offset, CLIENT_PARTIAL_KEY), digest):
            return schema, digest
    return None


def make_server_blocks(
    c1: bytes, client_digest: tuple[int, bytes] | None, *, random: bytes | None = None
) -> bytes:
    """Build S1 + S2 (3072 bytes) answering `c1`, whose digest :func:`find_client_digest` gave.

    `random` (3072 bytes) replaces the random filler, for tests.
    """
    noise = random if random is not None else os.urandom(2 * SIZE)
    if client_digest is None:
        return bytes(8) + noise[8:SIZE] + c1
    schema, digest = client_digest
    s1 = bytearray(bytes(4) + SERVER_VERSION + noise[8:SIZE])
    offset = digest_offset(s1, schema)
    s1[offset : offset + DIGEST_LEN] = block_digest(s1, offset, SERVER_PARTIAL_KEY)
    s2 = noise[SIZE : 2 * SIZE - DIGEST_LEN]
    s2_key = hmac_sha256(SERVER_FULL_KEY, digest)
    return bytes(s1) + s2 + hmac_sha256(s2_key, s2)


class ServerHandshake:
    """Feed client bytes; collect the reply; `done` once C2 has arrived.

    Bytes after C2 (the first chunks) are returned by :meth:`receive_data`.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._sent_reply = False
        self._outgoing = bytearray()
        self.done = False
        self.digest_schema: int | None = None

    def receive_data(self, data: bytes) -> bytes:
        """Consume handshake bytes; return what follows C2 (empty until then)."""
        if self.done:
            return data
        self._buffer += data
        if not self._sent_reply:
            if len(self._buffer) < 1 + SIZE:
                if self._buffer and self._buffer[0] != RTMP_VERSION:
                    raise _bad_version(self._buffer[0])
                return b""
            if self._buffer[0] != RTMP_VERSION:
                raise _bad_version(self._buffer[0])
            c1 = bytes(self._buffer[1 : 1 + SIZE])
            found = find_client_digest(c1)
            self.digest_schema = found[0] if found else None
            self._outgoing += bytes((RTMP_VERSION,)) + make_server_blocks(c1, found)
            self._sent_reply = True
            del self._buffer[: 1 + SIZE]
        if len(self._buffer) < SIZE:
            return b""
        rest = bytes(self._buffer[SIZE:])
        self._buffer.clear()
        self.done = True
        return rest

    def data_to_send(self) -> bytes:
        """S0+S1+S2 once C0+C1 have arrived; empty otherwise."""
        out = bytes(self._outgoing)
        self._outgoing.clear()
        return out


def _bad_version(version: int) -> RtmpProtocolError:
    return RtmpProtocolError(f"not an RTMP handshake (C0 version byte 0x{version:02x})")
