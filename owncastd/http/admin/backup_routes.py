"""`/api/admin/backups` (ours, not Owncast's): the archives in the backup directory.

- `GET /api/admin/backups` → `{canCreate, backups: [{name, size, created, automatic}…]}`,
  newest first.
- `POST /api/admin/backups/create` makes a manual archive there now → its entry.
- `GET /api/admin/backups/download?name=<archive>` streams one archive
  (`application/gzip`, `Content-Disposition: attachment; filename="<archive>"`); a name that is
  not an archive's directly in the backup directory is 404, so no other path can be read.
Without the appliance (`ctx.operations` or its backups unset) every route is 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import trio
from quart import Blueprint, Response, request

from owncastd.http.admin.auth import AdminGuard
from owncastd.http.context import WebContext
from owncastd.http.responses import error, json_no_cache

if TYPE_CHECKING:
    from owncastd.ops.backup_downloads import BackupDownloads

CHUNK = 1 << 20


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    async with await trio.open_file(path, "rb") as file:
        while chunk := await file.read(CHUNK):
            yield chunk


def create_backup_routes(ctx: WebContext, guard: AdminGuard) -> Blueprint:
    """The blueprint; every route requires the admin."""
    bp = Blueprint("admin_backups", __name__, url_prefix="/api/admin/backups")

    def downloads() -> BackupDownloads | None:
        return ctx.operations.backups if ctx.operations is not None else None

    @bp.route("", methods=["GET", "OPTIONS"])
    @guard.require
    async def listing() -> Response:
        backups = downloads()
        if backups is None:
            return error(404, "backups are not available")
        archives = await trio.to_thread.run_sync(backups.archives)
        return json_no_cache(
            {"canCreate": backups.can_create, "backups": [a.to_json() for a in archives]}
        )

    @bp.route("/create", methods=["POST", "OPTIONS"])
    @guard.require
    async def create() -> Response:
        backups = downloads()
        if backups is None or not backups.can_create:
            return error(404, "backups are not available")
        try:
            archive = await backups.create()
        except OSError as exc:
            return error(500, f"the backup failed: {exc.strerror or exc}")
        return json_no_cache(archive.to_json())

    @bp.route("/download", methods=["GET", "OPTIONS"])
    @guard.require
    async def download() -> Response:
        backups = downloads()
        name = request.args.get("name", "")
        path = backups.path_of(name) if backups is not None else None
        if path is None:
            return error(404, "no such backup")
        response = Response(_chunks(path), status=200, content_type="application/gzip")
        response.headers["Content-Disposition"] = f'attachment; filename="{path.name}"'
        response.headers["Content-Length"] = str(path.stat().st_size)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return bp
