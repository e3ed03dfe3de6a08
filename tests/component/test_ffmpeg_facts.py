"""ffmpeg is asked for its encoders and ingest forms without holding up `ready`
(owncastd/hls/ffmpeg_facts.py): a publisher that connects before the probe has answered waits
(RTMP accepts only then) and is judged by the probed forms, as one arriving later."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import trio
import trio.testing

from owncastd.hls.ffmpeg_facts import FfmpegFacts
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import FakeGate, RtmpTestClient, command_of
from tests.component.test_rtmp_codecs import KEY, debian_formats, rejected
from tests.enhanced_flv import FOURCC_NUMBERS

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


async def test_a_publisher_before_the_probe_waits_and_is_judged_by_it(
    nursery: trio.Nursery,
) -> None:
    probed = trio.Event()
    formats = await debian_formats()

    async def source():
        await probed.wait()
        return formats

    server = RtmpServer(FakeGate(KEY), "127.0.0.1", 0, formats=source)
    port = await nursery.start(server.run)  # listening: the daemon's ready line comes here
    client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
    started: list[object] = []
    published = trio.Event()

    async def publish() -> None:
        started.append(await client.publish(KEY))
        published.set()

    nursery.start_soon(publish)
    with trio.move_on_after(0.3):  # not accepted yet: no handshake answer
        await published.wait()
    assert started == [] and server.waiting == 0
    probed.set()
    with trio.fail_after(10):
        await published.wait()
    assert command_of(started[0])[3]["code"] == "NetStream.Publish.Start"
    await client.send(client.codec.metadata({"videocodecid": FOURCC_NUMBERS["hvc1"]}))
    status = await rejected(client)
    assert "(hvc1)" in str(status["description"])


GATED_FFMPEG = """#!/bin/sh
while [ ! -e {gate} ]; do sleep 0.02; done
exec {ffmpeg} "$@"
"""


async def test_both_answers_wait_for_ffmpeg(tmp_path: Path, nursery: trio.Nursery) -> None:
    gate = tmp_path / "gate"
    ffmpeg = tmp_path / "ffmpeg"
    ffmpeg.write_text(GATED_FFMPEG.format(gate=gate, ffmpeg=shutil.which("ffmpeg")))
    ffmpeg.chmod(0o755)
    facts = FfmpegFacts(str(ffmpeg))
    await nursery.start(facts.run)  # returns at once: ffmpeg has not answered
    answers: dict[str, object] = {}

    async def ask(name: str, question) -> None:
        answers[name] = await question()

    with trio.fail_after(30):
        async with trio.open_nursery() as asking:
            asking.start_soon(ask, "codecs", facts.codecs)
            asking.start_soon(ask, "formats", facts.formats)
            await trio.testing.wait_all_tasks_blocked()
            assert answers == {}
            gate.touch()
    assert "libx264" in answers["codecs"]  # type: ignore[operator]
    assert "avc1" in answers["formats"].checked  # type: ignore[attr-defined]
