"""``POST /api/admin/notifications/test``: send the go-live notifications (Discord, browser
push, the Fediverse post) now, as if the stream had just gone live."""

from __future__ import annotations

from quart import Blueprint, Response

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.json_body import BadRequestError
from owncastd.http.responses import json_no_cache


def create_notifications_test(guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint; answers `{success, message, channels}` (each channel sends only when it
    is enabled; failures are logged per channel)."""
    bp = Blueprint("admin_notifications_test", __name__)

    @bp.post("/api/admin/notifications/test")
    @guard.require
    async def send_test() -> Response:
        if control.go_live is None:
            raise BadRequestError("go-live notifications are not available")
        channels = await control.go_live.send_now()
        return json_no_cache({"success": True, "message": "sent", "channels": channels})

    return bp
