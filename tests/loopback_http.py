"""The HTTP/1.1 loop the tests' loopback servers share (webhook receiver, remote Fediverse
server, IndieAuth site): h11 on one trio stream, keep-alive, each request answered in turn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import h11
import trio

Answer = tuple[int, list[tuple[str, str]], bytes]


async def serve_h11(
    stream: trio.SocketStream, answer: Callable[[h11.Request, bytes], Awaitable[Answer]]
) -> None:
    """Answer each request on `stream` with `answer(request, body)` → (status, headers, body;
    Content-Length is added) until the peer closes; then close the stream."""
    conn = h11.Connection(h11.SERVER)
    try:
        while True:
            request, body = None, b""
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await stream.receive_some(65536)
                    if not data:
                        return
                    conn.receive_data(data)
                elif isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    return
            assert request is not None
            status, headers, reply = await answer(request, body)
            headers = [*headers, ("Content-Length", str(len(reply)))]
            await stream.send_all(conn.send(h11.Response(status_code=status, headers=headers)))
            await stream.send_all(conn.send(h11.Data(data=reply)))
            await stream.send_all(conn.send(h11.EndOfMessage()))
            if conn.our_state is h11.MUST_CLOSE:
                return
            conn.start_next_cycle()
    except (trio.BrokenResourceError, trio.ClosedResourceError, h11.RemoteProtocolError):
        return
    finally:
        await stream.aclose()
