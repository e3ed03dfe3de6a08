"""Prometheus metrics for `/api/admin/prometheus`, in a registry of this daemon's own.

Owncast's gauges (reference §8.6) keep their names and `version`/`host` labels; ours are
prefixed `owncastd_`. Values are read from their sources when scraped (callbacks), so nothing
has to remember to update a gauge; the chat figures that need the database (users, messages)
are counted by :meth:`Metrics.refresh` just before each scrape. HTTP requests are counted by
route pattern (never the raw path, so scanners cannot blow up the label set) and status.
prometheus_client (~0.03-0.09 s to import) is imported when the registry is first needed: the
first scrape or counted admin request, after the daemon is ready (issue 17).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter
    from prometheus_client.core import GaugeMetricFamily, Metric

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ChatStats(Protocol):
    """What the chat service reports; `refresh` recounts what needs the database."""

    async def refresh(self) -> None: ...

    def client_count(self) -> int: ...

    def user_count(self) -> int: ...

    def message_count(self) -> int: ...


class NoChat:
    """Chat figures before a chat service is plugged in."""

    async def refresh(self) -> None:
        return None

    def client_count(self) -> int:
        return 0

    def user_count(self) -> int:
        return 0

    def message_count(self) -> int:
        return 0


@dataclass
class MetricSources:
    """Callbacks the collector reads at scrape time."""

    viewers: Callable[[], int]
    online: Callable[[], bool]
    ingest_kbps: Callable[[], tuple[int, int]]  # (video, audio) of the broadcaster, 0 when none
    ffmpeg_restarts: Callable[[], int]
    cpu_percent: Callable[[], float | None]
    playback_errors: Callable[[], float | None]
    host: Callable[[], str]
    chat: ChatStats


class _OwncastCollector:
    def __init__(self, sources: MetricSources, version: str) -> None:
        self._sources = sources
        self._version = version

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        s = self._sources
        labels = ["version", "host"]
        values = [self._version, s.host()]

        def owncast_gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
            gauge = GaugeMetricFamily(name, doc, labels=labels)
            gauge.add_metric(values, value)
            return gauge

        yield owncast_gauge("owncast_instance_active_viewer_count", "Active viewers.", s.viewers())
        yield owncast_gauge(
            "owncast_instance_active_chat_client_count",
            "Connected chat clients.",
            s.chat.client_count(),
        )
        yield owncast_gauge(
            "owncast_instance_total_chat_users", "Known chat users.", s.chat.user_count()
        )
        yield owncast_gauge(
            "owncast_instance_current_chat_message_count",
            "Chat messages kept.",
            s.chat.message_count(),
        )
        yield owncast_gauge(
            "owncast_instance_playback_error_count",
            "Player errors reported in the last minute.",
            s.playback_errors() or 0.0,
        )
        yield owncast_gauge(
            "owncast_instance_cpu_usage", "Machine CPU use in percent.", s.cpu_percent() or 0.0
        )
        yield GaugeMetricFamily(
            "owncastd_stream_online", "1 while the stream is online.", value=int(s.online())
        )
        video, audio = s.ingest_kbps()
        bitrate = GaugeMetricFamily(
            "owncastd_ingest_bitrate_kbps",
            "Bitrate the broadcaster announced, in kbit/s.",
            labels=["kind"],
        )
        bitrate.add_metric(["video"], video)
        bitrate.add_metric(["audio"], audio)
        yield bitrate
        yield CounterMetricFamily(
            "owncastd_ffmpeg_restarts",
            "Times a transcoder was restarted after dying mid-stream.",
            value=s.ffmpeg_restarts(),
        )


class Metrics:
    """The registry of one daemon and the HTTP request counter."""

    content_type = CONTENT_TYPE

    def __init__(self, sources: MetricSources, *, version: str) -> None:
        self.sources = sources
        self._version = version
        self._collectors: list[object] = []
        self._registry: CollectorRegistry | None = None
        self._requests: Counter | None = None

    def add_collector(self, collector: object) -> None:
        """Register a collector (an object with `collect()`) with the registry."""
        self._collectors.append(collector)
        if self._registry is not None:
            self._registry.register(collector)  # type: ignore[arg-type]

    @property
    def registry(self) -> CollectorRegistry:
        """The daemon's registry, made (and prometheus_client imported) on first use."""
        if self._registry is None:
            from prometheus_client import CollectorRegistry, Counter
            from prometheus_client.process_collector import ProcessCollector

            registry = CollectorRegistry()
            registry.register(_OwncastCollector(self.sources, self._version))
            ProcessCollector(registry=registry)
            self._requests = Counter(
                "owncastd_http_requests",
                "HTTP requests answered, by route pattern, method and status.",
                ["route", "method", "status"],
                registry=registry,
            )
            for collector in self._collectors:
                registry.register(collector)  # type: ignore[arg-type]
            self._registry = registry
        return self._registry

    def set_chat(self, chat: ChatStats) -> None:
        """Read chat figures from `chat` from now on."""
        self.sources.chat = chat

    async def refresh(self) -> None:
        """Recount the figures that cannot be read synchronously at scrape time."""
        await self.sources.chat.refresh()

    def observe_request(self, route: str, method: str, status: int) -> None:
        """Count one answered request."""
        if self._requests is None:
            self.registry  # noqa: B018 (makes the counter)
        assert self._requests is not None
        self._requests.labels(route, method, str(status)).inc()

    def exposition(self) -> bytes:
        """The text exposition format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)
