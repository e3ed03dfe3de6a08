"""`GET /api/admin/status` (reference §1.6): broadcaster, current broadcast, health, peaks."""

from __future__ import annotations

from quart import Blueprint, Response

from owncastd import OWNCAST_API_VERSION
from owncastd.config.settings import VideoVariant
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.config_routes import variant_settings_json
from owncastd.http.context import WebContext
from owncastd.http.responses import json_no_cache, rfc3339


def variant_json(variant: VideoVariant) -> dict[str, object]:
    """Owncast's `StreamOutputVariant` JSON, named as shown to viewers."""
    return {**variant_settings_json(variant), "name": variant.display_name}


def admin_status_payload(ctx: WebContext) -> dict[str, object]:
    """The admin status document."""
    stream = ctx.stream
    settings = ctx.settings.current
    broadcaster = stream.broadcaster
    broadcaster_json: dict[str, object] | None = None
    current_broadcast: dict[str, object] | None = None
    if broadcaster is not None:
        d = broadcaster.details
        broadcaster_json = {
            "remoteAddr": broadcaster.remote_addr,
            "time": rfc3339(broadcaster.connected_at),
            "streamDetails": {
                "width": d.width,
                "height": d.height,
                "framerate": d.framerate,
                "videoBitrate": d.video_bitrate,
                "videoCodec": d.video_codec,
                "audioBitrate": d.audio_bitrate,
                "audioCodec": d.audio_codec,
                "encoder": d.encoder,
                "videoOnly": d.video_only,
            },
        }
        current_broadcast = {
            "latencyLevel": settings.video.latency_level,
            "outputSettings": [variant_json(v) for v in settings.video.variants],
        }
    return {
        "broadcaster": broadcaster_json,
        "currentBroadcast": current_broadcast,
        "health": {
            "healthy": True,
            "healthPercentage": 100,
            "message": "",
            "representation": 0,
        },
        "online": stream.online,
        "viewerCount": ctx.viewers.count,
        "overallPeakViewerCount": stream.stats.overall_peak_viewers,
        "sessionPeakViewerCount": stream.stats.session_peak_viewers,
        "versionNumber": OWNCAST_API_VERSION,
        "owncastdVersion": ctx.version,
        "streamTitle": settings.server.stream_title,
    }


def create_admin_status(ctx: WebContext, guard: AdminGuard) -> Blueprint:
    """The blueprint."""
    admin = Blueprint("admin_status", __name__)

    @admin.route("/api/admin/status", methods=["GET", "OPTIONS"])
    @guard.require
    async def status() -> Response:
        return json_no_cache(admin_status_payload(ctx))

    return admin
