"""The viewers' hot routes as Owncast answers them, pinned on both HTTP paths: the general
app and the lean path (http/transport/fast_path.py). Status, headers and bodies must be the
same on both; segments also answer conditional and range requests on the lean path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import trio

from tests.component.fast_fixtures import FastHarness, build_fast_web
from tests.component.http_fixtures import WebHarness, build_web

SEGMENT = bytes(range(256)) * 400
SAME_HEADERS = (
    "content-type",
    "cache-control",
    "access-control-allow-origin",
    "content-security-policy",
    "x-content-type-options",
)
ROUTES = (
    "/hls/stream.m3u8",
    "/hls/0/stream.m3u8",
    "/hls/0/seg-1.ts",
    "/hls/0/missing.ts",
    "/hls/9/stream.m3u8",
    "/hls/0/notes.txt",
    "/api/ping",
    "/api/status",
    "/thumbnail.jpg",
    "/preview.gif",
    "/logo",
    "/static/missing.js",
)


def _files(web: WebHarness) -> None:
    web.write(web.paths.hls_dir, "stream.m3u8", b"#EXTM3U\n0/stream.m3u8\n")
    web.write(web.paths.hls_dir, "0/stream.m3u8", b"#EXTM3U\n#EXTINF:2.0,\nseg-1.ts\n")
    web.write(web.paths.hls_dir, "0/seg-1.ts", SEGMENT)
    web.write(web.paths.hls_dir, "0/notes.txt", b"not served")


@pytest.fixture
def both(tmp_path: Path) -> tuple[WebHarness, FastHarness]:
    app, fast = build_web(tmp_path / "app"), build_fast_web(tmp_path / "fast")
    for web in (app, fast):
        _files(web)
    return app, fast


@pytest.mark.parametrize("path", ROUTES)
async def test_both_paths_answer_alike(both: tuple[WebHarness, FastHarness], path: str) -> None:
    app, fast = both
    expected, got = await app.get(path), await fast.get(path)
    assert fast.served_fast == 1, "the lean path must serve this route itself"
    assert got.status_code == expected.status_code
    for name in SAME_HEADERS:
        assert got.headers.get(name) == expected.headers.get(name), name
    got_body, expected_body = await got.get_data(), await expected.get_data()
    if path == "/api/status":  # serverTime is the wall clock: compare the shape and values
        assert json.loads(got_body) == json.loads(expected_body)
    else:
        assert got_body == expected_body


async def test_status_is_the_shared_builder_on_the_lean_path(
    both: tuple[WebHarness, FastHarness],
) -> None:
    _, fast = both
    response = await fast.get("/api/status")
    body = await response.get_data()
    assert body.endswith(b"}\n") and b": " not in body  # jsonify's compact form
    assert set(json.loads(body)) == {  # offline: viewerCount 0 is omitted (omitempty)
        "online",
        "lastConnectTime",
        "lastDisconnectTime",
        "versionNumber",
        "owncastdVersion",
        "streamTitle",
        "serverTime",
    }


async def test_segments_have_an_etag_and_answer_if_none_match(
    both: tuple[WebHarness, FastHarness],
) -> None:
    _, fast = both
    first = await fast.get("/hls/0/seg-1.ts")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Accept-Ranges"] == "bytes"
    again = await fast.get("/hls/0/seg-1.ts", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert await again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = await fast.get("/hls/0/seg-1.ts", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("header", "status", "content_range", "piece"),
    [
        ("bytes=0-9", 206, f"bytes 0-9/{len(SEGMENT)}", SEGMENT[:10]),
        ("bytes=100-", 206, f"bytes 100-{len(SEGMENT) - 1}/{len(SEGMENT)}", SEGMENT[100:]),
        (
            "bytes=-5",
            206,
            f"bytes {len(SEGMENT) - 5}-{len(SEGMENT) - 1}/{len(SEGMENT)}",
            SEGMENT[-5:],
        ),
        (f"bytes={len(SEGMENT)}-", 416, f"bytes */{len(SEGMENT)}", b""),
        ("bytes=5-1", 200, None, SEGMENT),
        ("bytes=0-1,4-5", 200, None, SEGMENT),
    ],
)
async def test_segment_ranges(
    both: tuple[WebHarness, FastHarness],
    header: str,
    status: int,
    content_range: str | None,
    piece: bytes,
) -> None:
    _, fast = both
    response = await fast.get("/hls/0/seg-1.ts", headers={"Range": header})
    assert response.status_code == status
    assert response.headers.get("Content-Range") == content_range
    assert await response.get_data() == piece


async def test_head_has_the_length_and_no_body(both: tuple[WebHarness, FastHarness]) -> None:
    _, fast = both
    assert fast.fast is not None
    client, server = trio.testing.memory_stream_pair()
    request = b"HEAD /hls/0/seg-1.ts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert await fast.fast.serve(server, request, "127.0.0.1") is None
    await server.aclose()
    data = b""
    while chunk := await client.receive_some(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert f"content-length: {len(SEGMENT)}".encode() in head
    assert body == b""


@pytest.mark.parametrize(
    "path",
    ["/hls/../secret.ts", "/hls/%2e%2e/x.ts", "/hls//x.ts", "/hls/.hidden.ts", "/admin", "/"],
)
async def test_other_paths_are_handed_to_the_app(
    both: tuple[WebHarness, FastHarness], path: str
) -> None:
    _, fast = both
    assert fast.fast is not None
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    _, server = trio.testing.memory_stream_pair()
    assert await fast.fast.serve(server, request, "127.0.0.1") == request


async def test_a_body_or_another_method_is_handed_to_the_app(
    both: tuple[WebHarness, FastHarness],
) -> None:
    _, fast = both
    assert fast.fast is not None
    for request in (
        b"POST /api/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
        b"GET /api/ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"OPTIONS /hls/stream.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n",
    ):
        _, server = trio.testing.memory_stream_pair()
        assert await fast.fast.serve(server, request, "127.0.0.1") == request


async def test_http_1_0_keep_alive_is_answered_as_such(
    both: tuple[WebHarness, FastHarness],
) -> None:
    _, fast = both
    assert fast.fast is not None
    lean = fast.fast
    client, server = trio.testing.memory_stream_pair()
    request = b"GET /api/ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"

    async def serve() -> None:
        assert await lean.serve(server, request, "127.0.0.1") is None
        await server.aclose()  # as the front door does when serve is done

    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += await client.receive_some(4096)
            assert b"connection: keep-alive\r\n" in answer
            await client.send_all(b"GET /api/ping HTTP/1.0\r\n\r\n")  # no keep-alive
            rest = b""
            while chunk := await client.receive_some(4096):
                rest += chunk
    assert rest.startswith(b"HTTP/1.1 200 OK") and b"connection: close\r\n" in rest


async def test_a_playlist_replaced_by_rename_is_served_new_at_once(
    both: tuple[WebHarness, FastHarness],
) -> None:
    """Same size, same mtime (the file-time clock is coarse): the new inode tells them apart."""
    _, fast = both
    playlist = fast.paths.hls_dir / "0" / "stream.m3u8"
    first = await (await fast.get("/hls/0/stream.m3u8")).get_data()
    stat = playlist.stat()
    replacement = playlist.with_suffix(".tmp")
    newer = first.replace(b"seg-1", b"seg-2")
    replacement.write_bytes(newer)
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    replacement.replace(playlist)
    assert await (await fast.get("/hls/0/stream.m3u8")).get_data() == newer
