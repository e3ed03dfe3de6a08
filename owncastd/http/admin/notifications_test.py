"""``POST /api/admin/notifications/test``: send the go-live notifications (Discord, browser
push, the Fediverse post) now, as if the stream had just gone live."""

from __future__ import annotations

from quart import Blueprint, Response

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.json_body import BadRequestError
from owncastd.http.responses import json_no_cache


def create_notifications_test(guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint; answers `{success, message, channels, sent, skipped, failed}`: the
    channel names by outcome (a channel that is off is skipped; failures are also logged), and
    the message says the same (``sent: fediverse; skipped: discord; failed: none``)."""
    bp = Blueprint("admin_notifications_test", __name__)

    @bp.post("/api/admin/notifications/test")
    @guard.require
    async def send_test() -> Response:
        if control.go_live is None:
            raise BadRequestError("go-live notifications are not available")
        outcomes = await control.go_live.send_now()
        channels = [name for names in outcomes.values() for name in names]
        message = "; ".join(f"{k}: {', '.join(v) or 'none'}" for k, v in outcomes.items())
        return json_no_cache(
            {"success": True, "message": message, "channels": channels, **outcomes}
        )

    return bp
