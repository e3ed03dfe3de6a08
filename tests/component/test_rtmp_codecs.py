"""Enhanced-RTMP codecs the installed ffmpeg cannot ingest (issue 10 item 9), over real TCP.

The HEVC is real libx265 output wrapped in enhanced-RTMP tags by the test client (Debian's
ffmpeg 5.1 cannot write them); the ingest formats come from probing the real ffmpeg.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import trio

from owncastd.core.codecs import IngestFormats, LastRefusal
from owncastd.core.media import TagKind
from owncastd.hls.ingest_probe import probe_ingest_formats
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import (
    AAC_SEQUENCE_HEADER,
    AVC_SEQUENCE_HEADER,
    FakeGate,
    RtmpTestClient,
    aac_frame,
    avc_frame,
    command_of,
)
from tests.component.test_rtmp_ffmpeg import push_command
from tests.component.test_transcoder_failures import Rig
from tests.enhanced_flv import FOURCC_NUMBERS, encode_hevc, hevc_tag_bodies

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

KEY = "codec-test-key"


@pytest.fixture(scope="module")
def hevc_bodies() -> list[bytes]:
    return hevc_tag_bodies(encode_hevc(10))


async def debian_formats() -> IngestFormats:
    formats = await probe_ingest_formats(shutil.which("ffmpeg") or "ffmpeg")
    if "hvc1" in formats.readable:
        pytest.skip("this ffmpeg ingests enhanced-RTMP HEVC: nothing to refuse")
    return formats


async def connect(port: int, key: str) -> RtmpTestClient:
    client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
    start = await client.publish(key)
    assert command_of(start)[3]["code"] == "NetStream.Publish.Start"
    return client


async def rejected(client: RtmpTestClient) -> dict[str, object]:
    """The Rejected status; then the server closes the connection."""
    with trio.fail_after(10):
        status = command_of(await client.read_until("NetStream.Publish.Rejected"))[3]
        await client.read_to_eof()
    assert isinstance(status, dict)
    return status


async def test_an_enhanced_hevc_publish_is_rejected_naming_the_codec(
    nursery: trio.Nursery, hevc_bodies: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    gate, refusals = FakeGate(KEY), LastRefusal()
    server = RtmpServer(gate, "127.0.0.1", 0, formats=await debian_formats(), refusals=refusals)
    port = await nursery.start(server.run)
    client = await connect(port, KEY)
    codec = client.codec  # the sequence start and a keyframe; then the server answers
    await client.send(
        codec.audio(0, AAC_SEQUENCE_HEADER)
        + codec.video(0, hevc_bodies[0])
        + codec.video(0, hevc_bodies[1])
    )

    status = await rejected(client)
    assert status["level"] == "error"
    assert "H.265 (hvc1)" in str(status["description"])
    [publication] = gate.publications
    with trio.fail_after(5):
        await publication.ended.wait()
    assert [t.kind for t in publication.tags] == [TagKind.AUDIO]  # no video reached ingest
    assert refusals.reason is not None and "H.265 (hvc1)" in refusals.reason
    [line] = [r for r in caplog.records if "publish refused" in r.getMessage()]
    assert line.levelno == logging.WARNING
    assert "video codec H.265 (hvc1) cannot be ingested by the installed ffmpeg" in (
        line.getMessage()
    )


@pytest.mark.parametrize("fourcc", ["hvc1", "av01", "vp09"])
async def test_a_fourcc_announced_in_metadata_is_rejected_before_any_video(
    nursery: trio.Nursery, fourcc: str
) -> None:
    gate = FakeGate(KEY)
    server = RtmpServer(gate, "127.0.0.1", 0, formats=await debian_formats())
    port = await nursery.start(server.run)
    client = await connect(port, KEY)
    await client.send(client.codec.metadata({"videocodecid": FOURCC_NUMBERS[fourcc]}))
    status = await rejected(client)
    assert f"({fourcc})" in str(status["description"])
    assert server.refusals.reason is not None and fourcc in server.refusals.reason


async def test_legacy_h264_from_real_ffmpeg_still_publishes_and_clears_the_refusal(
    nursery: trio.Nursery, hevc_bodies: list[bytes]
) -> None:
    gate = FakeGate(KEY)
    server = RtmpServer(gate, "127.0.0.1", 0, formats=await debian_formats())
    port = await nursery.start(server.run)
    client = await connect(port, KEY)
    await client.send(client.codec.video(0, hevc_bodies[0]))
    await rejected(client)
    assert server.refusals.problem() is not None

    with trio.fail_after(60):
        result = await trio.run_process(push_command(port, KEY), capture_stderr=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    publication = gate.publications[-1]
    assert sum(t.keyframe for t in publication.tags if t.kind is TagKind.VIDEO) == 3
    assert publication.details is not None and publication.details.video_codec == "H.264"
    assert server.refusals.problem() is None


async def logged(caplog: pytest.LogCaptureFixture, text: str, count: int) -> None:
    with trio.fail_after(15):
        while sum(text in r.getMessage() for r in caplog.records) < count:  # noqa: ASYNC110 - the log is the observable end
            await trio.sleep(0.01)


async def test_no_ffmpeg_is_spawned_for_a_refused_or_vanished_publisher(
    tmp_path: Path, hevc_bodies: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig = Rig(tmp_path)  # the fake ffmpeg appends a line to rig.marker per start
    rig.install_ffmpeg()
    async with trio.open_nursery() as nursery:
        await nursery.start(rig.stream.run)
        await nursery.start(rig.service.run)
        server = RtmpServer(rig.stream, "127.0.0.1", 0, formats=await debian_formats())
        port = await nursery.start(server.run)

        client = await connect(port, "k")  # HEVC: refused at its first video tag
        await client.send(client.codec.audio(0, AAC_SEQUENCE_HEADER))
        await client.send(client.codec.video(0, hevc_bodies[0]))
        await rejected(client)
        await logged(caplog, "stream reservation released", 1)

        client = await connect(port, "k")  # leaves at once, before any video
        await client.stream.aclose()
        await logged(caplog, "stream reservation released", 2)
        # Neither reached the transcoder: no session was announced and handed over.
        assert not any("transcoder" in r.getMessage() for r in caplog.records)
        assert not rig.marker.exists()

        client = await connect(port, "k")  # H.264: the counter does count
        for data in (
            client.codec.video(0, AVC_SEQUENCE_HEADER),
            client.codec.audio(0, AAC_SEQUENCE_HEADER),
            client.codec.video(0, avc_frame(True)),
            client.codec.audio(0, aac_frame()),
        ):
            await client.send(data)
        await rig.ffmpeg_started()
        await client.stream.aclose()
        await logged(caplog, "transcoder finished", 1)
        assert rig.marker.read_text() == "started\n"
        nursery.cancel_scope.cancel()
