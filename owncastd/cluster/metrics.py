"""Prometheus gauges of the cluster (prometheus_client is imported at the first scrape):
`owncastd_cluster_edge_sockets{edge}`, `…_edge_viewers{edge}`, `…_edge_lag_seconds{edge}` and
`owncastd_cluster_redis_up`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from owncastd.core.cluster.edges import EdgeStatus

if TYPE_CHECKING:
    from prometheus_client.core import Metric


class ClusterCollector:
    """Gauges over the live edges and the Redis health, read at each scrape."""

    def __init__(self, edges: Callable[[], list[EdgeStatus]], redis_up: Callable[[], bool]) -> None:
        self._edges = edges
        self._redis_up = redis_up

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import GaugeMetricFamily

        families = (
            ("owncastd_cluster_edge_sockets", "Chat sockets held by each edge.", "sockets"),
            ("owncastd_cluster_edge_viewers", "Viewers counted by each edge.", "viewers"),
            ("owncastd_cluster_edge_lag_seconds", "Each edge's last Redis delay.", "lag"),
        )
        edges = self._edges()
        for name, doc, what in families:
            family = GaugeMetricFamily(name, doc, labels=["edge"])
            for edge in edges:
                value = edge.lag_ms / 1000 if what == "lag" else getattr(edge, what)
                family.add_metric([edge.id], value)
            yield family
        yield GaugeMetricFamily(
            "owncastd_cluster_redis_up", "1 while Redis answers.", value=int(self._redis_up())
        )
