"""Public `/api` routes of the video side (reference §1.4): status, config, ping, variants, yp."""

from __future__ import annotations

from collections.abc import Callable

from quart import Blueprint, Response, current_app, request

from owncastd import release_string
from owncastd.config.setting import BROWSER_PUSH, CHAT_LOGIN, FEDERATION
from owncastd.config.settings import ExternalAction, Settings, SocialHandle
from owncastd.config.table import feature_ready
from owncastd.core.config_text import offline_message_html, page_content_html
from owncastd.http.client_address import request_ip
from owncastd.http.context import WebContext
from owncastd.http.public.shared import status_payload
from owncastd.http.public.social import social_icon, social_platforms
from owncastd.http.responses import error, json_no_cache, rfc3339
from owncastd.http.schedule.fields import schedule_config

MAX_SOCKET_PAYLOAD_SIZE = 2048
# Where each optional feature's routes live (Owncast's paths): advertised only once served.
FEDERATION_ROUTES = "/federation/"
PUSH_ROUTES = "/api/notifications/register"
INDIEAUTH_ROUTES = "/api/auth/indieauth"
Serves = Callable[[str], bool]
LOW_LATENCY_STREAM = "/hls/ll/stream.m3u8"  # the LL-HLS master playlist (http/transport/fast_llhls)


def config_payload(ctx: WebContext, serves: Serves) -> dict[str, object]:
    """`/api/config`: what the web page needs to draw itself (handlers/config.go, develop §7.2).
    `serves(prefix)` tells whether the app has a route under `prefix`."""
    settings: Settings = ctx.settings.current
    server = settings.server
    payload: dict[str, object] = {
        "name": server.name,
        "summary": server.summary,  # raw, as Owncast sends it; the page shows it as text
        "offlineMessage": offline_message_html(server.offline_message),
        "logo": "/logo",
        "tags": list(server.tags),
        "version": release_string(ctx.version),
        "owncastdVersion": ctx.version,
        "nsfw": server.nsfw,
        "socketHostOverride": settings.web.socket_host_override,
        "extraPageContent": page_content_html(server.extra_page_content),
        "streamTitle": server.stream_title,
        "socialHandles": [social_handle_json(h) for h in server.social_handles],
        "externalActions": [external_action_json(a) for a in server.external_actions],
        "customStyles": server.custom_styles,
        "appearanceVariables": dict(server.appearance_variables),
        "maxSocketPayloadSize": MAX_SOCKET_PAYLOAD_SIZE,
        "hideViewerCount": server.hide_viewer_count,
        "chatDisabled": settings.chat.disabled,
        "chatSpamProtectionDisabled": not settings.chat.spam_protection_enabled,
        "chatRequireAuthentication": settings.chat.require_authentication,
        "autoplay": server.autoplay,
        "pluginTabs": [],  # no plugin host: never null, as in Owncast
        "pluginStyles": "",
        **advertised_features(settings, serves, _push_key(ctx)),
        "schedule": schedule_config(settings),
        **({"replays": True} if settings.replays.public else {}),  # omitted when not public
    }
    if ctx.low_latency is not None and settings.video.low_latency:  # issue 13; only when on
        payload["lowLatencyStream"] = LOW_LATENCY_STREAM
    for omitted_when_empty in ("streamTitle", "socketHostOverride"):
        if not payload[omitted_when_empty]:
            del payload[omitted_when_empty]
    return payload


def advertised_features(
    settings: Settings, serves: Serves, push_key: str = ""
) -> dict[str, object]:
    """`federation`, `notifications` and `authentication`: only what the server serves (issue 10
    item 8). A feature is advertised when the settings enable it, the settings table no longer
    marks it as not supported, *and* the app has its routes, whatever the file says."""
    server = settings.server
    federation: dict[str, object] = {"enabled": False}
    if settings.federation.enabled and feature_ready(FEDERATION) and serves(FEDERATION_ROUTES):
        federation = {
            "enabled": True,
            "account": f"{settings.federation.username}@{_host(server.url)}" if server.url else "",
            "followerCount": 0,
            "hideFollowersTab": settings.federation.hide_followers,
        }
    push = (
        settings.notifications.browser.enabled
        and feature_ready(BROWSER_PUSH)
        and serves(PUSH_ROUTES)
        and bool(push_key)
    )
    indieauth = bool(server.url) and feature_ready(CHAT_LOGIN) and serves(INDIEAUTH_ROUTES)
    return {
        "federation": federation,
        # `publicKey` is omitempty in Owncast; push is only on with a key to subscribe with.
        "notifications": {
            "browser": {"enabled": True, "publicKey": push_key} if push else {"enabled": False}
        },
        "authentication": {"indieAuthEnabled": indieauth},
    }


def _push_key(ctx: WebContext) -> str:
    """The VAPID public key browsers subscribe with ("" before it is loaded, or without push)."""
    push = ctx.control.push if ctx.control is not None else None
    return push.public_key if push is not None else ""


def app_serves(prefix: str) -> bool:
    """True when the running app has a route whose rule starts with `prefix`."""
    return any(rule.rule.startswith(prefix) for rule in current_app.url_map.iter_rules())


def social_handle_json(handle: SocialHandle) -> dict[str, str]:
    """A known platform always gets its built-in icon; another keeps its stored icon, or has
    none (`icon` is omitempty in Owncast)."""
    icon = social_icon(handle.platform) or handle.icon
    out = {"platform": handle.platform, "url": handle.url}
    return out | {"icon": icon} if icon else out


def external_action_json(action: ExternalAction) -> dict[str, object]:
    """Owncast's `ExternalAction` JSON (public config and the admin's serverconfig)."""
    return {
        "url": action.url,
        "title": action.title,
        "description": action.description,
        "icon": action.icon,
        "color": action.color,
        "openExternally": action.open_externally,
    }


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def create_public_api(ctx: WebContext) -> Blueprint:
    """The blueprint; handlers close over `ctx`."""
    api = Blueprint("public_api", __name__)

    @api.get("/api/status")
    async def status() -> Response:
        return json_no_cache(await status_payload(ctx))

    @api.get("/api/config")
    async def config() -> Response:
        payload = config_payload(ctx, app_serves)
        federation = payload["federation"]
        if ctx.federation is not None and isinstance(federation, dict) and federation["enabled"]:
            federation["followerCount"] = await ctx.federation.store.follower_count()
        response = json_no_cache(payload)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @api.get("/api/ping")
    async def ping() -> Response:
        ctx.viewers.seen(request_ip(ctx.settings), request.headers.get("User-Agent", ""))
        return Response("", status=200)

    @api.get("/api/video/variants")
    async def variants() -> Response:
        video = ctx.settings.current.video
        return json_no_cache(
            [{"index": i, "name": v.display_name} for i, v in enumerate(video.variants)]
        )

    @api.get("/api/socialplatforms")
    async def socialplatforms() -> Response:
        response = json_no_cache(social_platforms())
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @api.get("/api/yp")
    async def yp() -> Response:
        settings = ctx.settings.current
        if not settings.directory.enabled:
            return error(404, "directory is not enabled")
        server = settings.server
        stats = ctx.stream.stats
        return json_no_cache(
            {
                "name": server.name,
                "description": server.summary,
                "streamTitle": server.stream_title,
                "logo": "/logo",
                "tags": list(server.tags),
                "social": [{"platform": h.platform, "url": h.url} for h in server.social_handles],
                "nsfw": server.nsfw,
                "online": ctx.stream.online,
                "viewerCount": ctx.viewers.count,
                "overallMaxViewerCount": stats.overall_peak_viewers,
                "sessionMaxViewerCount": stats.session_peak_viewers,
                "lastConnectTime": rfc3339(stats.last_connect_time),
            }
        )

    return api
