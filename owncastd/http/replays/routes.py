"""Replay routes (issue 14), our own (Owncast has none), in Owncast's error shape.

Public (only while `[replays] public` is on, else 404, so nothing is advertised):
`GET /api/replays` and `GET /replays/<id>/…` (master and variant VOD playlists, segments,
thumbnail, `replay.mp4`) of finished, published replays. Admin (Basic auth):
`GET /api/admin/replays`, `GET/PATCH/DELETE /api/admin/replays/<id>`,
`POST /api/admin/replays/<id>/export` (MP4, `-c copy`) and `GET …/<id>/download`.
Clips (a range, or the last seconds, as an MP4 at `/replays/<id>/clips/<clip>.mp4`):
`POST /api/replays/<id>/clip`, `POST /api/replays/live/clip` (public, while public) and
`POST /api/admin/replays/<id>/clip` (any replay, also the one being recorded).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quart import Blueprint, Response, request, send_file
from quart_trio import QuartTrio

from owncastd.core.replays.models import (
    BusyError,
    ExportError,
    Replay,
    admin_json,
    public_json,
)
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.context import WebContext
from owncastd.http.json_body import BadRequestError, json_object
from owncastd.http.public.files import content_type, read_file, safe_join
from owncastd.http.responses import NO_CACHE, body, error, json_no_cache, success

if TYPE_CHECKING:
    from owncastd.replays.library import ReplayLibrary
    from owncastd.replays.services import ReplayServices

MAX_TITLE = 200
MP4 = "replay.mp4"
SEGMENT_CACHE = "public, max-age=31536000, immutable"
_ID = re.compile(r"^[0-9a-f]{6,32}$")
_FILE = re.compile(r"^(stream\.m3u8|thumbnail\.jpg|replay\.mp4|\d+/stream\.m3u8|\d+/[\w.-]+\.ts)$")
_CLIP = re.compile(r"^clips/[0-9a-f]{12}\.mp4$")
MAX_CLIP_SECONDS = 120


def register_replays(
    app: QuartTrio, ctx: WebContext, guard: AdminGuard, replays: ReplayServices
) -> None:
    """The public and admin replay routes."""
    app.register_blueprint(_public(ctx, replays))
    app.register_blueprint(_admin(guard, replays))


def _public(ctx: WebContext, replays: ReplayServices) -> Blueprint:
    routes = Blueprint("replays", __name__)
    library = replays.library

    def hidden() -> bool:
        return not ctx.settings.current.replays.public

    @routes.get("/api/replays")
    async def listing() -> Response:
        if hidden():
            return error(404, "not found")
        return json_no_cache([public_json(r) for r in await library.published()])

    @routes.get("/replays/<replay_id>/<path:relative>")
    async def files(replay_id: str, relative: str) -> Response:
        clip = bool(_CLIP.match(relative))
        if hidden() or not _ID.match(replay_id) or not (clip or _FILE.match(relative)):
            return error(404, "not found")
        replay = await library.get(replay_id)
        if replay is None or not replay.published or (replay.recording and not clip):
            return error(404, "not found")
        path = safe_join(library.files.path(replay_id), relative)
        if path is None:
            return error(404, "not found")
        return await _file_response(path, relative)

    @routes.post("/api/replays/<replay_id>/clip")
    async def clip(replay_id: str) -> Response:
        replay = await library.get(replay_id) if _ID.match(replay_id) else None
        if hidden() or replay is None or not replay.published or replay.recording:
            return error(404, "not found")
        return await _clip(library, replay, await json_object())

    @routes.post("/api/replays/live/clip")
    async def live_clip() -> Response:
        current = replays.recorder.current if replays.recorder is not None else None
        if hidden() or current is None or not current.published:
            return error(404, "not found")
        body = await json_object()
        if "start" in body:
            raise BadRequestError("a live clip takes only duration (the last seconds)")
        return await _clip(library, current, body)

    return routes


async def _clip(library: ReplayLibrary, replay: Replay, body: dict[str, Any]) -> Response:
    """Cut the clip `body` asks for: `duration` seconds (1..120) from `start` (default: the
    last seconds). 200 `{"url", "duration"}`."""
    unknown = sorted(set(body) - {"start", "duration"})
    if unknown:
        raise BadRequestError(f"unknown field {unknown[0]!r} (start, duration)")
    duration = _seconds(body.get("duration"), 1, MAX_CLIP_SECONDS)
    if duration is None:
        raise BadRequestError(f"duration must be a number of seconds from 1 to {MAX_CLIP_SECONDS}")
    start = body.get("start")
    start_at = _seconds(start, 0, float("inf"))
    if start is not None and start_at is None:
        raise BadRequestError("start must be a number of seconds from 0")
    try:
        url, length = await library.clip(replay, start_at, duration)
    except ValueError as exc:
        raise BadRequestError(str(exc)) from None
    except BusyError as exc:
        return error(429, str(exc))
    except ExportError as exc:
        return error(500, f"clip failed: {exc}")
    return json_no_cache({"url": url, "duration": round(length, 3)})


def _seconds(value: Any, low: float, high: float) -> float | None:
    """`value` as seconds within `[low, high]`, or None (absent, not a number, out of range)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if low <= value <= high else None


async def _file_response(path: Path, relative: str) -> Response:
    if relative.endswith(".mp4"):
        if not path.is_file():  # noqa: ASYNC240 (one stat)
            return error(404, "not found")
        response = await send_file(path, mimetype="video/mp4", conditional=True, as_attachment=True)
        return response
    data = await read_file(path)
    if data is None:
        return error(404, "not found")
    cache = NO_CACHE if relative.endswith(".m3u8") else SEGMENT_CACHE
    response = body(data, content_type(path), cache_control=cache)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _patch_changes(payload: dict[str, Any]) -> dict[str, Any]:
    """The validated changes of a PATCH body: `title` (text) and/or `published` (bool)."""
    unknown = sorted(set(payload) - {"title", "published"})
    if unknown:
        raise BadRequestError(f"unknown field {unknown[0]!r} (title, published)")
    changes: dict[str, Any] = {}
    if "title" in payload:
        title = payload["title"]
        if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
            raise BadRequestError(f"title must be a non-empty string of at most {MAX_TITLE}")
        changes["title"] = title.strip()
    if "published" in payload:
        if not isinstance(payload["published"], bool):
            raise BadRequestError("published must be true or false")
        changes["published"] = payload["published"]
    if not changes:
        raise BadRequestError("nothing to change (title, published)")
    return changes


def _admin(guard: AdminGuard, replays: ReplayServices) -> Blueprint:
    routes = Blueprint("admin_replays", __name__)
    library = replays.library

    async def found(replay_id: str) -> Replay:
        replay = await library.get(replay_id) if _ID.match(replay_id) else None
        if replay is None:
            raise BadRequestError("no such replay", 404)
        return replay

    @routes.route("/api/admin/replays", methods=["GET", "OPTIONS"])
    @guard.require
    async def listing() -> Response:
        recorder = replays.recorder
        current = recorder.current if recorder is not None else None
        return json_no_cache(
            {
                "replays": [admin_json(r) for r in await library.all()],
                "recording": current.id if current is not None else None,
                "problem": recorder.problem() if recorder is not None else None,
            }
        )

    @routes.route("/api/admin/replays/<replay_id>", methods=["GET", "PATCH", "DELETE", "OPTIONS"])
    @guard.require
    async def one(replay_id: str) -> Response:
        replay = await found(replay_id)
        if request.method == "DELETE":
            if replay.recording:
                return error(409, "the replay is still being recorded")
            await library.delete(replay_id)
            return success("replay deleted")
        if request.method == "PATCH":
            updated = await library.update(replay_id, **_patch_changes(await json_object()))
            replay = updated or replay
        return json_no_cache(admin_json(replay))

    @routes.route("/api/admin/replays/<replay_id>/export", methods=["POST", "OPTIONS"])
    @guard.require
    async def export(replay_id: str) -> Response:
        replay = await found(replay_id)
        if replay.recording:
            return error(409, "the replay is still being recorded")
        try:
            exported = await library.export(replay_id)
        except ExportError as exc:  # ffmpeg's own words, no traceback
            return error(500, f"export failed: {exc}")
        return json_no_cache(admin_json(exported or replay))

    @routes.route("/api/admin/replays/<replay_id>/clip", methods=["POST", "OPTIONS"])
    @guard.require
    async def admin_clip(replay_id: str) -> Response:
        return await _clip(library, await found(replay_id), await json_object())

    @routes.route("/api/admin/replays/<replay_id>/download", methods=["GET", "OPTIONS"])
    @guard.require
    async def download(replay_id: str) -> Response:
        await found(replay_id)
        return await _file_response(library.files.path(replay_id, MP4), MP4)

    return routes
