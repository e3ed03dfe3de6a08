"""Viewers, hardware, playback health and Prometheus (reference §1.6, §8).

Admin: `viewers`, `viewersOverTime?windowStart=<unix>`, `hardwarestats`, `metrics/video`,
`prometheus` (any method), `viewers/playback` (each viewer and player with its latest CMCD
figures, develop §5.3). Public: `POST /api/metrics/playback`, the players' reports. Every
answered request is counted for Prometheus by route pattern and status.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import trio
from quart import Blueprint, Response, request

from owncastd.core.cmcd import Reporter
from owncastd.core.playback import MAX_LIVE_LATENCY, PlaybackReport
from owncastd.core.viewers import client_id_for
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.client_address import request_ip
from owncastd.http.context import WebContext
from owncastd.http.json_body import BadRequestError, json_kind, json_object
from owncastd.http.responses import json_no_cache, rfc3339, success

if TYPE_CHECKING:
    from owncastd.metrics.live_latency import LatencySummary
    from owncastd.metrics.playback_clients import ClientPlayback
    from owncastd.metrics.series import TimeSeries

PLAYBACK_FIELDS = {
    # JSON name → (report field, largest accepted value)
    "bandwidth": ("bandwidth", 10_000_000.0),
    "latency": ("latency", 86_400.0),
    "downloadDuration": ("download_duration", 86_400.0),
    "errors": ("errors", 1_000_000.0),
    "qualityVariantChanges": ("quality_variant_changes", 1_000_000.0),
    "liveEdgeLatency": ("live_edge_latency", MAX_LIVE_LATENCY),  # owncastd's addition
}
MAX_PLAYBACK_BODY = 4096


def series_json(series: TimeSeries) -> list[dict[str, object]]:
    """Owncast's `[{time, value}]`."""
    return [{"time": rfc3339(s.time), "value": s.value} for s in series.samples()]


def playback_report(body: dict[str, object]) -> PlaybackReport:
    """A validated report: non-negative finite numbers; missing fields are 0."""
    values: dict[str, float] = {}
    for name, (attr, largest) in PLAYBACK_FIELDS.items():
        value = body.get(name, 0)
        if value is None:
            value = 0
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequestError(f"{name} must be a number (got {json_kind(value)})")
        number = float(value)
        if not math.isfinite(number) or not 0 <= number <= largest:
            raise BadRequestError(f"{name} must be between 0 and {largest:g} (got {number:g})")
        values[attr] = number
    return PlaybackReport(**values)


def playback_json(client: ClientPlayback | None) -> dict[str, object] | None:
    """A viewer's `playback` object (develop §5.3); each measurement a number or null."""
    if client is None:
        return None
    figures: dict[str, object] = {"source": "client", "lastUpdate": rfc3339(client.last_update)}
    if client.player_state:
        figures["playerState"] = client.player_state
    figures.update(
        bandwidthKbps=client.bandwidth_kbps,
        latencySeconds=client.latency_seconds,
        downloadSeconds=client.download_seconds,
        bitrateKbps=client.bitrate_kbps,
        errorCount=client.error_count,
        qualityVariantChanges=client.quality_variant_changes,
    )
    return figures


def live_latency_json(summary: LatencySummary) -> dict[str, object]:
    """owncastd's additive `liveLatency` object of `/api/admin/metrics/video` (seconds)."""
    return {
        "clients": summary.clients,
        "p50": summary.p50,
        "p95": summary.p95,
        "liveEdgeP50": summary.live_edge_p50,
        "liveEdgeP95": summary.live_edge_p95,
    }


def _row(
    client_id: str, viewer_id: str, first_seen: datetime, agent: str, ip: str
) -> dict[str, object]:
    return {
        "clientID": client_id,
        "viewerID": viewer_id,
        "firstSeen": rfc3339(first_seen),
        "geo": None,
        "userAgent": agent,
        "ipAddress": ip,
    }


def viewers_playback_json(ctx: WebContext, control: ControlPlane) -> list[dict[str, object]]:
    """Each active viewer with its player's figures (a player with a CMCD `sid` joins the
    viewer with the same IP and User-Agent), then the other reporting players, newest first."""
    players = control.playback.clients
    by_viewer = {c.viewer_id: c for c in players.clients()}  # the newest per viewer wins
    listed: list[dict[str, object]] = []
    shown: set[str] = set()
    for v in ctx.viewers.viewers():
        client = players.get(v.client_id) or by_viewer.get(v.client_id)
        client_id = client.client_id if client else v.client_id
        shown.add(client_id)
        row = _row(client_id, v.client_id, v.first_seen, v.user_agent, v.ip_address)
        listed.append({**row, "playback": playback_json(client)})
    for c in reversed(players.clients()):
        if c.client_id not in shown:
            row = _row(c.client_id, c.viewer_id, c.first_seen, c.user_agent, c.ip_address)
            listed.append({**row, "playback": playback_json(c)})
    return listed


def window_start(raw: str | None) -> datetime:
    """`?windowStart=<unix seconds>` (absent: the beginning of time)."""
    if raw is None or raw == "":
        return datetime.fromtimestamp(0, UTC)
    try:
        seconds = int(raw)
    except ValueError:
        raise BadRequestError("windowStart must be a unix time in seconds") from None
    try:
        return datetime.fromtimestamp(max(seconds, 0), UTC)
    except (OverflowError, OSError, ValueError):
        raise BadRequestError("windowStart is out of range") from None


def create_admin_metrics(ctx: WebContext, guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("admin_metrics", __name__)

    @bp.after_app_request
    async def count_request(response: Response) -> Response:
        rule = request.url_rule
        route = rule.rule if rule is not None else "unmatched"
        control.metrics.observe_request(route, request.method, response.status_code)
        return response

    @bp.route("/api/admin/viewers", methods=["GET", "OPTIONS"])
    @guard.require
    async def viewers() -> Response:
        now_wall, now = ctx.clock(), trio.current_time()
        return json_no_cache(
            [
                {
                    "firstSeen": rfc3339(v.first_seen),
                    "lastSeen": rfc3339(
                        datetime.fromtimestamp(
                            now_wall.timestamp() - max(now - v.last_seen_monotonic, 0), UTC
                        )
                    ),
                    "userAgent": v.user_agent,
                    "ipAddress": v.ip_address,
                    "clientID": v.client_id,
                    "geo": None,
                }
                for v in ctx.viewers.viewers()
            ]
        )

    @bp.route("/api/admin/viewers/playback", methods=["GET", "OPTIONS"])
    @guard.require
    async def viewers_playback() -> Response:
        return json_no_cache(viewers_playback_json(ctx, control))

    @bp.route("/api/admin/viewersOverTime", methods=["GET", "OPTIONS"])
    @guard.require
    async def viewers_over_time() -> Response:
        start = window_start(request.args.get("windowStart"))
        samples = await control.viewer_history.since(start)
        return json_no_cache([{"time": rfc3339(at), "value": count} for at, count in samples])

    @bp.route("/api/admin/hardwarestats", methods=["GET", "OPTIONS"])
    @guard.require
    async def hardware_stats() -> Response:
        hardware = control.hardware
        return json_no_cache(
            {
                "cpu": series_json(hardware.cpu),
                "memory": series_json(hardware.memory),
                "disk": series_json(hardware.disk),
            }
        )

    _add_playback_routes(bp, ctx, guard, control)
    return bp


def _add_playback_routes(
    bp: Blueprint, ctx: WebContext, guard: AdminGuard, control: ControlPlane
) -> None:
    """Playback health, the players' reports and Prometheus."""

    @bp.route("/api/admin/metrics/video", methods=["GET", "OPTIONS"])
    @guard.require
    async def video_metrics() -> Response:
        p = control.playback
        video = ctx.settings.current.video
        viewers = ctx.viewers.count
        representation = min(100, round(100 * p.reporting_clients / viewers)) if viewers else 0
        return json_no_cache(
            {
                "errors": series_json(p.errors),
                "qualityVariantChanges": series_json(p.quality_variant_changes),
                "highestLatency": series_json(p.latency.high),
                "medianLatency": series_json(p.latency.median),
                "lowestLatency": series_json(p.latency.low),
                "medianSegmentDownloadDuration": series_json(p.download_duration.median),
                "maximumSegmentDownloadDuration": series_json(p.download_duration.high),
                "minimumSegmentDownloadDuration": series_json(p.download_duration.low),
                "minPlayerBitrate": series_json(p.bandwidth.low),
                "medianPlayerBitrate": series_json(p.bandwidth.median),
                "maxPlayerBitrate": series_json(p.bandwidth.high),
                "availableBitrates": [v.video_bitrate for v in video.variants],
                "segmentLength": ctx.stream.segment_seconds(),
                "representation": representation,
                "liveLatency": live_latency_json(p.live.summary(ctx.clock())),
                "liveLatencyP50": series_json(p.live.p50),
                "liveLatencyP95": series_json(p.live.p95),
            }
        )

    @bp.post("/api/metrics/playback")
    async def report_playback() -> Response:
        report = playback_report(await json_object(MAX_PLAYBACK_BODY))
        ip, agent = request_ip(ctx.settings), request.headers.get("User-Agent", "")
        client_id = client_id_for(ip, agent)
        control.playback.record_report(Reporter(client_id, client_id, ip, agent), report)
        return success("recorded")

    @bp.route("/api/admin/prometheus", methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"])
    @guard.require
    async def prometheus() -> Response:
        await control.metrics.refresh()
        response = Response(control.metrics.exposition(), content_type=control.metrics.content_type)
        response.headers["Cache-Control"] = "no-cache"
        return response
