"""HTTP/1.1 request heads and response heads for the lean viewer path (fast_path.py).

A tight hand-rolled parser: the request line, then `name: value` lines; header names are
lower-cased, repeated headers joined with ", " (as X-Forwarded-For must be). Anything that is
not plainly valid (obsolete line folding, a bad token, an unknown version) is malformed and
gets 400. It measured 7 µs per typical browser request head here, h11 48 µs (89 µs with
its response cycle on a keep-alive connection): see bench/README.md.
"""

from __future__ import annotations

import logging
import re
import time
from email.utils import formatdate

_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_VERSIONS = {b"HTTP/1.1": True, b"HTTP/1.0": False}
# origin-form, absolute-form and asterisk-form (the last two are never lean-path routes)
_TARGETS = (b"/", b"http://", b"https://", b"*")
REASONS = {
    200: "OK",
    202: "Accepted",
    206: "Partial Content",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    416: "Range Not Satisfiable",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
}


class Request:
    """One parsed request head."""

    __slots__ = ("headers", "http11", "method", "path", "target")

    def __init__(self, method: str, target: str, http11: bool, headers: dict[str, str]) -> None:
        self.method = method
        self.target = target
        self.path = target.partition("?")[0]
        self.http11 = http11
        self.headers = headers

    @property
    def keep_alive(self) -> bool:
        """Whether the connection stays open after the response."""
        connection = self.headers.get("connection", "").lower()
        if self.http11:
            return "close" not in connection
        return "keep-alive" in connection

    @property
    def has_body(self) -> bool:
        """Whether a body follows the head (the lean path serves none)."""
        headers = self.headers
        return "transfer-encoding" in headers or headers.get("content-length", "0") != "0"


def parse_head(head: bytes) -> Request | None:
    """The request in `head` (without its closing blank line), or None when malformed."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        return None
    method, target, version = parts
    http11 = _VERSIONS.get(version)
    if http11 is None or not _TOKEN.match(method) or not target.startswith(_TARGETS):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.match(name):
            return None
        key = name.decode("ascii").lower()
        text = value.strip(b" \t").decode("latin-1")
        old = headers.get(key)
        headers[key] = text if old is None else f"{old}, {text}"
    return Request(method.decode("ascii"), target.decode("latin-1"), http11, headers)


class DateHeader:
    """The `date` header line, formatted at most once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._line = b""

    def line(self) -> bytes:
        """`date: …\\r\\n` for now."""
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._line = f"date: {formatdate(now, usegmt=True)}\r\n".encode()
        return self._line


def header_block(headers: list[tuple[str, str]]) -> bytes:
    """`name: value\\r\\n` lines (precomputed once per cached file or fixed answer)."""
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("latin-1")


def response_head(status: int, headers: bytes, length: int, date: bytes, request: Request) -> bytes:
    """A whole response head: status line, the precomputed `headers`, length, date and
    connection lines (close, or keep-alive for an HTTP/1.0 client that asked), blank line."""
    if not request.keep_alive:
        connection = b"connection: close\r\n"
    else:
        connection = b"" if request.http11 else b"connection: keep-alive\r\n"
    size = b"" if status == 304 else b"content-length: %d\r\n" % length
    return b"HTTP/1.1 %d %s\r\n%s%s%s%s\r\n" % (
        status,
        REASONS[status].encode(),
        headers,
        size,
        date,
        connection,
    )


def plain_answer(status: int, text: str) -> bytes:
    """A complete `connection: close` answer with a short text body (400, 431)."""
    body = text.encode()
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
        b"connection: close\r\n\r\n%s" % (status, REASONS[status].encode(), len(body), body)
    )


def log_access(log: logging.Logger, peer: str, request: Request, status: int, size: int) -> None:
    """One access line in hypercorn's default format (as the general app's requests get)."""
    headers = request.headers
    log.info(
        '%s - - %s "%s %s %s" %d %d "%s" "%s"',
        peer,
        time.strftime("[%d/%b/%Y:%H:%M:%S %z]"),
        request.method,
        request.path,
        "1.1" if request.http11 else "1.0",
        status,
        size,
        headers.get("referer", "-"),
        headers.get("user-agent", "-"),
    )
