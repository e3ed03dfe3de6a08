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
from owncastd.config.settings import Settings, VideoVariant
from owncastd.http.admin.auth import AdminGuard
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.admin.logo_upload import save_logo
from owncastd.http.admin.setters import SETTERS, Setter, SetterEnv
from owncastd.http.context import WebContext
from owncastd.http.json_body import MAX_JSON_BYTES, BadRequestError, json_object
from owncastd.http.public.api import external_action_json
from owncastd.http.responses import error, json_no_cache, success

log = logging.getLogger(__name__)

LOGO_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_LOGO_NAME = "logo.svg"
APPLIES_MESSAGE = {
    "now": "changed",
    "next stream": "changed; applies from the next stream",
    "restart": "changed; applies after a restart",
}


def variant_settings_json(variant: VideoVariant) -> dict[str, object]:
    """A variant as stored (the name as set, "" when generated), Owncast's field names."""
    return {
        "name": variant.name,
        "videoPassthrough": variant.video_passthrough,
        "audioPassthrough": variant.audio_passthrough,
        "videoBitrate": variant.video_bitrate,
        "audioBitrate": variant.audio_bitrate,
        "scaledWidth": variant.scaled_width,
        "scaledHeight": variant.scaled_height,
        "framerate": variant.framerate,
        "cpuUsageLevel": variant.cpu_usage_level,
    }


def server_config_payload(settings: Settings, supported_codecs: tuple[str, ...]) -> dict[str, Any]:
    """Owncast's `serverconfig` document (admin only: it holds the keys and secrets)."""
    server, chat, video = settings.server, settings.chat, settings.video
    s3, federation, notifications = settings.s3, settings.federation, settings.notifications
    return {
        "instanceDetails": {
            "name": server.name,
            "summary": server.summary,
            "welcomeMessage": server.welcome_message,
            "offlineMessage": server.offline_message,
            "logo": server.logo or DEFAULT_LOGO_NAME,
            "tags": list(server.tags),
            "socialHandles": [
                {"platform": h.platform, "url": h.url} for h in server.social_handles
            ],
            "extraPageContent": server.extra_page_content,
            "streamTitle": server.stream_title,
            "nsfw": server.nsfw,
            "customStyles": server.custom_styles,
            "customJavascript": server.custom_javascript,
            "appearanceVariables": dict(server.appearance_variables),
        },
        "ffmpegPath": video.ffmpeg_path,
        "adminPassword": settings.admin.password_hash,
        "streamKeys": [{"key": k.key, "comment": k.comment} for k in settings.rtmp.stream_keys],
        "streamKeyOverridden": bool(settings.temporary_stream_key),
        "webServerPort": settings.web.port,
        "webServerIP": settings.web.ip,
        "rtmpServerPort": settings.rtmp.port,
        "rtmpServerBindAddress": settings.rtmp.ip,
        "chatDisabled": chat.disabled,
        "chatJoinMessagesEnabled": chat.join_messages_enabled,
        "chatEstablishedUserMode": chat.established_user_mode,
        "chatSpamProtectionEnabled": chat.spam_protection_enabled,
        "chatSlurFilterEnabled": chat.slur_filter_enabled,
        "chatRequireAuthentication": chat.require_authentication,
        "hideViewerCount": server.hide_viewer_count,
        "disableSearchIndexing": server.disable_search_indexing,
        "socketHostOverride": settings.web.socket_host_override,
        "videoServingEndpoint": settings.web.video_serving_endpoint,
        "videoSettings": {
            "videoQualityVariants": [variant_settings_json(v) for v in video.variants],
            "latencyLevel": video.latency_level,
        },
        "yp": {"enabled": settings.directory.enabled, "instanceUrl": server.url},
        "s3": {
            "enabled": s3.enabled,
            "endpoint": s3.endpoint,
            "servingEndpoint": s3.serving_endpoint,
            "accessKey": s3.access_key,
            "secret": s3.secret,
            "bucket": s3.bucket,
            "region": s3.region,
            "acl": s3.acl,
            "forcePathStyle": s3.force_path_style,
        },
        "externalActions": [external_action_json(a) for a in server.external_actions],
        "supportedCodecs": list(supported_codecs),
        "videoCodec": video.codec,
        "forbiddenUsernames": list(chat.forbidden_usernames),
        "suggestedUsernames": list(chat.suggested_usernames),
        "federation": {
            "enabled": federation.enabled,
            "isPrivate": federation.private,
            "username": federation.username,
            "goLiveMessage": federation.go_live_message,
            "showEngagement": federation.show_engagement,
            "blockedDomains": list(federation.blocked_domains),
        },
        "notifications": {
            "discord": {
                "enabled": notifications.discord.enabled,
                "webhook": notifications.discord.webhook,
                "goLiveMessage": notifications.discord.go_live_message,
            },
            "browser": {
                "enabled": notifications.browser.enabled,
                "goLiveMessage": notifications.browser.go_live_message,
            },
        },
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
    """The blueprint: one route per setter, plus `serverconfig`."""
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

    @admin.route("/api/admin/serverconfig", methods=["GET", "OPTIONS"])
    @guard.require
    async def serverconfig() -> Response:
        return json_no_cache(server_config_payload(ctx.settings.current, control.supported_codecs))

    return admin
