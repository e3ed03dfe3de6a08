"""The server handshake: simple echo and the Flash Player 9 digest, on byte fixtures."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pytest

from owncastd.errors import RtmpProtocolError
from owncastd.rtmp.handshake import ServerHandshake, find_client_digest, make_server_blocks

FIXTURES = Path(__file__).parent / "fixtures"
# C0+C1 as sent by ffmpeg 5.1's RTMP client (captured once from a real push).
FFMPEG_C0C1 = (FIXTURES / "ffmpeg_c0c1.bin").read_bytes()

# The well-known keys, written out here independently of the module under test.
TAIL = bytes.fromhex(
    "F0 EE C2 4A 80 68 BE E8 2E 00 D0 D1 02 9E 7E 576E EC 5D 2D 29 80 6F AB 93 B8 E6 36 CF EB 31 AE"
)
FP_KEY = b"Genuine Adobe Flash Player 001"
FMS_KEY = b"Genuine Adobe Flash Media Server 001"


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _offset(block: bytes | bytearray, base: int) -> int:
    return sum(block[base : base + 4]) % 728 + base + 4


def client_c1(base: int) -> bytes:
    """A librtmp-style digest C1 with the offset bytes at `base` (8: schema 0, 772: schema 1)."""
    c1 = bytearray(os.urandom(1536))
    c1[0:8] = b"\x00\x00\x00\x00\x09\x00\x7c\x02"
    pos = _offset(c1, base)
    c1[pos : pos + 32] = _hmac(FP_KEY, bytes(c1[:pos] + c1[pos + 32 :]))
    return bytes(c1)


def verify_as_client(c1: bytes, reply: bytes) -> None:
    """What librtmp/ffmpeg check when they verify a server: S1's digest and S2's signature."""
    assert reply[0] == 3
    s1, s2 = reply[1:1537], reply[1537:]
    assert len(s2) == 1536
    for base in (8, 772):
        pos = _offset(s1, base)
        if _hmac(FMS_KEY, s1[:pos] + s1[pos + 32 :]) == s1[pos : pos + 32]:
            break
    else:
        raise AssertionError("S1 carries no valid server digest")
    client_digest = next(
        c1[p : p + 32]
        for p in (_offset(c1, b) for b in (8, 772))
        if _hmac(FP_KEY, c1[:p] + c1[p + 32 :]) == c1[p : p + 32]
    )
    key = _hmac(FMS_KEY + TAIL, client_digest)
    assert _hmac(key, s2[:-32]) == s2[-32:], "S2 signature does not match the client digest"


def run(handshake: ServerHandshake, data: bytes) -> tuple[bytes, bytes]:
    rest = handshake.receive_data(data)
    return handshake.data_to_send(), rest


def test_simple_handshake_echoes_c1() -> None:
    c1 = b"\x00\x00\x01\x00" + b"\x00\x00\x00\x00" + os.urandom(1528)
    hs = ServerHandshake()
    reply, rest = run(hs, b"\x03" + c1)
    assert rest == b""
    assert len(reply) == 1 + 1536 + 1536
    assert reply[0] == 3
    assert reply[5:9] == b"\x00\x00\x00\x00"  # S1: zero field of the simple handshake
    assert reply[1537:] == c1  # S2 echoes C1
    assert hs.digest_schema is None
    assert not hs.done
    reply, rest = run(hs, reply[1:1537] + b"first chunk")  # C2 echoes S1, then chunks
    assert hs.done
    assert reply == b""
    assert rest == b"first chunk"


def test_c1_with_a_version_but_no_valid_digest_gets_the_echo() -> None:
    c1 = b"\x00\x00\x00\x00\x09\x00\x7c\x02" + os.urandom(1528)
    reply, _ = run(ServerHandshake(), b"\x03" + c1)
    assert reply[1537:] == c1


@pytest.mark.parametrize(("base", "schema"), [(8, 0), (772, 1)])
def test_digest_handshake_both_schemas(base: int, schema: int) -> None:
    c1 = client_c1(base)
    assert find_client_digest(c1) is not None
    hs = ServerHandshake()
    reply, _ = run(hs, b"\x03" + c1)
    assert hs.digest_schema == schema
    verify_as_client(c1, reply)
    assert reply[1537:] != c1


def test_digest_handshake_with_real_ffmpeg_c1() -> None:
    assert FFMPEG_C0C1[0] == 3 and len(FFMPEG_C0C1) == 1537
    hs = ServerHandshake()
    reply, _ = run(hs, FFMPEG_C0C1)
    assert hs.digest_schema == 0
    verify_as_client(FFMPEG_C0C1[1:], reply)


def test_server_blocks_are_deterministic_given_the_random_filler() -> None:
    c1 = client_c1(8)
    found = find_client_digest(c1)
    filler = bytes(range(256)) * 12
    assert make_server_blocks(c1, found, random=filler) == make_server_blocks(
        c1, found, random=filler
    )


def test_byte_at_a_time() -> None:
    c1 = client_c1(772)
    hs = ServerHandshake()
    out = b""
    for byte in b"\x03" + c1:
        out += run(hs, bytes([byte]))[0]
    assert len(out) == 3073
    verify_as_client(c1, out)
    c2_and_more = out[1:1537] + b"\x02xyz"
    rest = b""
    for byte in c2_and_more:
        rest += run(hs, bytes([byte]))[1]
    assert hs.done
    assert rest == b"\x02xyz"


@pytest.mark.parametrize("first", [b"G", b"\x06", b"\x00"])
def test_wrong_version_byte_is_a_protocol_error(first: bytes) -> None:
    with pytest.raises(RtmpProtocolError, match="not an RTMP handshake"):
        ServerHandshake().receive_data(first + b"ET / HTTP/1.1\r\n")


def test_truncated_c1_waits_without_replying() -> None:
    hs = ServerHandshake()
    assert run(hs, b"\x03" + os.urandom(1000)) == (b"", b"")
    assert not hs.done
