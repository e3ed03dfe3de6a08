"""Operational metrics: hardware samples, player reports, viewer history and Prometheus.

`series` (bounded time series), `hardware` (psutil every minute, high-load warnings),
`playback` (player reports aggregated every minute, reference §8.5), `viewer_history` (viewer
counts every 2 minutes while online, kept in SQLite), `prometheus` (a per-daemon registry).
"""
