"""`POST /api/admin/config/<setter>` (reference §1.5) and `GET /api/admin/serverconfig` (§1.6).

Every setter is its own route (so an unknown name is a 404 and the OpenAPI document lists each
one). A setter reads `{"value": …}`, converts it (see `admin_setters`), and hands the changes to
the :class:`ConfigEditor`, which persists them into `owncast.toml` and swaps the live settings.
Any problem is a 4xx `{"success": false, "message": …}` and nothing changes.
"""

from __future__ import annotations

import logging
from typing import Any

import trio
from quart import Blueprint, Response

from owncastd.config.editor import ConfigEditor, ConfigRejectedError, ConfigWriteError
from owncastd.config.load import hash_password
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.config_keys import keys_payload
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.admin.logo_upload import save_logo
from owncastd.http.admin.serverconfig import server_config_payload, variant_settings_json
from owncastd.http.admin.setters import SETTERS, Setter, SetterEnv
from owncastd.http.context import WebContext
from owncastd.http.json_body import MAX_JSON_BYTES, BadRequestError, json_object
from owncastd.http.responses import error, json_no_cache, success

log = logging.getLogger(__name__)
__all__ = ["apply_setter", "create_admin_config", "server_config_payload", "variant_settings_json"]

LOGO_BODY_BYTES = 4 * 1024 * 1024
APPLIES_MESSAGE = {
    "now": "changed",
    "next stream": "changed; applies from the next stream",
    "restart": "changed; applies after a restart",
}


async def apply_setter(
    setter: Setter, env: SetterEnv, editor: ConfigEditor, max_bytes: int = MAX_JSON_BYTES
) -> Response | None:
    """Read `{"value": …}`, convert it with `setter` and apply it: None when applied, a 500
    when valid but not saved; BadRequestError (nothing changed) when invalid or rejected."""
    body = await json_object(max_bytes)
    if "value" not in body:
        raise BadRequestError(f'{setter.name}: the body must be {{"value": …}}')
    changes = await setter.convert(body["value"], env)
    try:
        await editor.apply(changes)
    except ConfigRejectedError as exc:
        raise BadRequestError(f"{setter.name}: {'; '.join(exc.problems)}") from None
    except ConfigWriteError as exc:
        return error(500, f"{setter.name} is valid but could not be saved: {exc}")
    return None


async def _hash(plain: str) -> str:
    return await trio.to_thread.run_sync(hash_password, plain)


def create_admin_config(ctx: WebContext, guard: AdminGuard, control: ControlPlane) -> Blueprint:
    """The blueprint: one route per setter, plus `serverconfig` and `config/keys`."""
    admin = Blueprint("admin_config", __name__)

    async def store_logo(data_uri: str) -> str:
        current = ctx.settings.current.server.logo
        return await save_logo(ctx.paths.data_dir, data_uri, keep=current)

    env = SetterEnv(
        supported_codecs=control.supported_codecs,
        hash_password=_hash,
        save_logo=store_logo,
        check_ffmpeg=control.check_ffmpeg,
    )

    def setter_view(setter: Setter) -> Any:
        max_bytes = LOGO_BODY_BYTES if setter.name == "logo" else MAX_JSON_BYTES

        async def view() -> Response:
            if setter.feature:  # the table marks it: refuse rather than store and say "changed"
                log.info("admin setter refused setter=%s feature=%s", setter.name, setter.feature)
                return error(400, f"{setter.feature} is not supported yet")
            failed = await apply_setter(setter, env, control.editor, max_bytes)
            if failed is not None:
                return failed
            log.info("admin changed config setter=%s applies=%s", setter.name, setter.applies)
            return success(APPLIES_MESSAGE[setter.applies])

        view.__name__ = f"config_{setter.name.replace('/', '_')}"
        return guard.require(view)

    for setter in SETTERS:
        admin.add_url_rule(
            f"/api/admin/config/{setter.name}",
            view_func=setter_view(setter),
            methods=["POST", "OPTIONS"],
        )

    @admin.route("/api/admin/config/keys", methods=["GET", "OPTIONS"])
    @guard.require
    async def config_keys() -> Response:
        return json_no_cache(keys_payload())

    @admin.route("/api/admin/serverconfig", methods=["GET", "OPTIONS"])
    @guard.require
    async def serverconfig() -> Response:
        return json_no_cache(server_config_payload(ctx.settings.current, control.supported_codecs))

    return admin
