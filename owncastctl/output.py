"""Human and machine output: rich tables on a TTY, plain text when piped, JSON for scripts.

Colour follows rich's rules: none when ``NO_COLOR`` is set or the stream is not a terminal.
Spinners only appear when stderr is a terminal. JSON output is plain `json.dumps` on stdout,
never wrapped or coloured.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

BARS = "▁▂▃▄▅▆▇█"
TAGS = re.compile(r"<[^>]+>")
# Where a browser breaks the line: the text on either side stays two words.
BREAKS = re.compile(r"<br\s*/?>|</(?:p|li|div|h[1-6]|blockquote|pre|tr)>", re.IGNORECASE)


def sparkline(values: Sequence[float], width: int = 40, *, top: float | None = None) -> str:
    """A one-line bar chart of the last `width` values (scaled to `top`, default the max)."""
    points = [float(v) for v in values][-width:]
    if not points:
        return ""
    high = top if top is not None else max(points)
    low = 0.0 if top is not None else min(points)
    span = high - low
    if span <= 0:
        return BARS[0 if high <= 0 else len(BARS) // 2] * len(points)
    scale = len(BARS) - 1
    return "".join(BARS[max(0, min(scale, round((v - low) / span * scale)))] for v in points)


def series(values: Any) -> list[float]:
    """The numbers of an Owncast `[{time, value}]` series (other shapes give none)."""
    points = []
    for point in values if isinstance(values, list) else []:
        if isinstance(point, dict) and isinstance(point.get("value"), int | float):
            points.append(float(point["value"]))
    return points


def plain_text(body: str) -> str:
    """Chat HTML (`<p>hi <strong>x</strong></p>`, emoji images) as one line of text."""
    body = re.sub(r'<img[^>]*alt="([^"]*)"[^>]*>', r"\1", body or "")
    text = html.unescape(TAGS.sub("", BREAKS.sub(" ", body)))
    return " ".join(text.split())


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (Owncast's, with up to nanoseconds) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$", text)
    if match:  # Go writes 9 fractional digits; Python reads at most 6
        fraction = (match[2] or "")[:7]
        text = f"{match[1]}{fraction}{match[3]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock(value: Any) -> str:
    """`HH:MM:SS` in local time, or the raw value when it is not a timestamp."""
    moment = parse_time(value)
    return moment.astimezone().strftime("%H:%M:%S") if moment else str(value or "")


def when(value: Any) -> str:
    """`YYYY-MM-DD HH:MM` in local time."""
    moment = parse_time(value)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else str(value or "")


def kbps(value: Any) -> str:
    """An inbound bitrate as `2500 kbps`; 0 (an encoder that announces none, as ffmpeg
    pushes do) reads as `bitrate not announced`, a missing one as `? kbps`."""
    if value is None:
        return "? kbps"
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
        return "bitrate not announced"
    return f"{value} kbps"


def duration(seconds: float) -> str:
    """`1h 02m 03s` / `4m 05s` / `12s`."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


class Output:
    """Where a command writes: a stdout console, a stderr console and JSON."""

    def __init__(self) -> None:
        self.out = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
        self.err = Console(stderr=True, highlight=False)

    def json(self, value: Any) -> None:
        """Machine-readable output: indented JSON on stdout."""
        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def json_line(self, value: Any) -> None:
        """One compact JSON document per line (for `-f` streams)."""
        sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def print(self, text: str = "", *, markup: bool = True) -> None:
        """A line of human output (rich markup allowed)."""
        self.out.print(text, markup=markup)

    def done(self, text: str) -> None:
        """A confirmation such as `stream title set`."""
        self.out.print(f"[green]✓[/] {escape(text)}")

    def warn(self, text: str) -> None:
        """A yellow warning on stderr."""
        self.err.print(f"[bold yellow]Warning:[/] [yellow]{escape(text)}[/]")

    def note(self, text: str) -> None:
        """A dim side note on stderr (not part of the data)."""
        self.err.print(f"[dim]{escape(text)}[/]")

    def table(self, *columns: str, title: str | None = None) -> Table:
        """A table in the house style; print it with :meth:`show`."""
        table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        return table

    def show(self, renderable: Any) -> None:
        """Print a table or panel."""
        self.out.print(renderable)

    @contextlib.contextmanager
    def spinner(self, text: str) -> Iterator[None]:
        """A transient spinner on stderr while waiting (only when stderr is a terminal)."""
        if not self.err.is_terminal:
            yield
            return
        with self.err.status(escape(text), spinner="dots"):
            yield
