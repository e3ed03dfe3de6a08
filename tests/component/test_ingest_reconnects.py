"""Issue 16 §4: rapid reconnects with the right key must not wedge ingest. A real RTMP server
on 127.0.0.1 feeds the real Stream while the transcoder is busy (nobody takes the sessions):
25 back-to-back short publishes, then a normal one still goes live; the admin's disconnect
really drops it, and health has nothing to report."""

from __future__ import annotations

import trio
import trio.testing

from owncastd.core.stream import DisconnectOutcome
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import (
    AAC_SEQUENCE_HEADER,
    AVC_SEQUENCE_HEADER,
    RtmpTestClient,
    avc_frame,
    status_code,
)
from tests.unit.core.test_stream import make_stream

KEY = "secret-key"
SHORT_PUBLISHES = 25


async def publish(port: int) -> tuple[RtmpTestClient, str | None]:
    client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
    return client, status_code(await client.publish(KEY))


async def short_publish(port: int) -> str | None:
    """Publish, send a little media, hang up at once."""
    client, status = await publish(port)
    if status == "NetStream.Publish.Start":
        await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
        await client.send(client.codec.audio(0, AAC_SEQUENCE_HEADER))
        await client.send(client.codec.video(0, avc_frame(True)))
    await client.stream.aclose()
    return status


async def test_rapid_reconnects_then_a_normal_publish_goes_live(nursery: trio.Nursery) -> None:
    stream, _, _ = make_stream(keys=(KEY,))
    port = await nursery.start(RtmpServer(stream, "127.0.0.1", 0).run)
    with trio.fail_after(20):
        for _ in range(SHORT_PUBLISHES):
            status = await short_publish(port)
            assert status == "NetStream.Publish.Start"
            while stream.occupied:  # noqa: ASYNC110 - the server sees the hang-up
                await trio.sleep(0.01)

        client, status = await publish(port)
        assert status == "NetStream.Publish.Start"
        await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
        with trio.fail_after(5):
            while not stream.is_live:  # noqa: ASYNC110 - announced by its first video tag
                await trio.sleep(0.01)
        assert stream.session is not None
        await trio.testing.wait_all_tasks_blocked()
        assert stream.ingest_problem() is None

        assert stream.disconnect() is DisconnectOutcome.DISCONNECTED
        assert stream.session is None
        await client.read_to_eof()  # the server really closed the connection
