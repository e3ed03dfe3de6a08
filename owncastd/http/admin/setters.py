"""Owncast's admin config setters (reference §1.5): `{"value": …}` → dotted settings changes.

Each :class:`Setter` names its path under `/api/admin/config/` and converts the JSON `value`
(Owncast's camelCase shapes) into changes for :class:`owncastd.config.editor.ConfigEditor`, or
raises :class:`BadRequestError` saying what was wrong. Converters only validate and translate;
the few with side effects (hashing a password, saving a logo, running ffmpeg) get them from a
:class:`SetterEnv`. Single-line values refuse control characters (no header injection through a
server URL or a name).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from owncastd.config import checks as checks
from owncastd.config.settings import KNOWN_CODECS, VideoVariant
from owncastd.http.json_body import BadRequestError, as_int, json_kind

Applies = Literal["now", "next stream", "restart"]
Changes = dict[str, Any]

SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSS_NAME = re.compile(r"^-{0,2}[A-Za-z0-9_-]{1,100}$")
CSS_VALUE_BAD = re.compile(r"[;{}<>\\]")
COLOR_OK = re.compile(r"^[#A-Za-z0-9(),.%\s-]{0,64}$")
MAX_MARKDOWN = 64 * 1024
MAX_CODE = 256 * 1024
MAX_LIST = 200


@dataclass(frozen=True)
class SetterEnv:
    """What converters with side effects need from the daemon."""

    supported_codecs: tuple[str, ...] = ()
    hash_password: Callable[[str], Awaitable[str]] | None = None
    save_logo: Callable[[str], Awaitable[str]] | None = None
    check_ffmpeg: Callable[[str], Awaitable[str | None]] | None = None


Converter = Callable[[Any, SetterEnv], Awaitable[Changes]]


@dataclass(frozen=True)
class Setter:
    """One `POST /api/admin/config/<name>` endpoint."""

    name: str
    summary: str
    convert: Converter
    applies: Applies = "now"


# ---- value checks -------------------------------------------------------------------------


def text(value: Any, what: str, *, max_len: int = 255, multiline: bool = False) -> str:
    """A JSON string of at most `max_len` characters; control characters refused."""
    if not isinstance(value, str):
        raise BadRequestError(f"{what} must be a string (got {json_kind(value)})")
    if len(value) > max_len:
        raise BadRequestError(f"{what} must be at most {max_len} characters (got {len(value)})")
    bad = MULTI_LINE_BAD if multiline else SINGLE_LINE_BAD
    if bad.search(value):
        kind = "control characters" if multiline else "line breaks or control characters"
        raise BadRequestError(f"{what} must not contain {kind}")
    return value


def flag(value: Any, what: str) -> bool:
    """A JSON boolean (strings such as "true" are refused, as in Owncast)."""
    if not isinstance(value, bool):
        raise BadRequestError(f"{what} must be true or false (got {json_kind(value)})")
    return value


def array(value: Any, what: str, *, max_items: int = MAX_LIST) -> list[Any]:
    """A JSON array of at most `max_items` entries."""
    if not isinstance(value, list):
        raise BadRequestError(f"{what} must be an array (got {json_kind(value)})")
    if len(value) > max_items:
        raise BadRequestError(f"{what} must have at most {max_items} entries (got {len(value)})")
    return value


def obj(value: Any, what: str) -> dict[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise BadRequestError(f"{what} must be an object (got {json_kind(value)})")
    return value


def strings(value: Any, what: str, *, max_len: int = 255) -> list[str]:
    """A JSON array of single-line strings."""
    return [text(v, f"{what}[{i}]", max_len=max_len) for i, v in enumerate(array(value, what))]


def url(
    value: Any, what: str, schemes: tuple[str, ...] = ("http", "https"), *, required: bool = False
) -> str:
    """A URL with one of `schemes` and a host ("" allowed unless `required`)."""
    checked = text(value, what, max_len=2048)
    problem = checks.url(schemes, required=required)(checked)
    if problem:
        raise BadRequestError(f"{what} {problem}")
    return checked


def int_in(value: Any, what: str, low: int, high: int) -> int:
    """A whole JSON number in `low..high`."""
    number = as_int(value, what)
    if not low <= number <= high:
        raise BadRequestError(f"{what} must be {low}..{high} (got {number})")
    return number


def field_of(entry: dict[str, Any], key: str, default: Any) -> Any:
    """`entry[key]`, or `default` when missing or null (Go's zero-value decoding)."""
    value = entry.get(key)
    return default if value is None else value


def flat(section: str, values: dict[str, Any]) -> Changes:
    """`{"a": 1}` under `section` → `{"section.a": 1}`."""
    return {f"{section}.{key}": value for key, value in values.items()}


# ---- converters ---------------------------------------------------------------------------


def _sync(fn: Callable[[Any, SetterEnv], Changes]) -> Converter:
    async def convert(value: Any, env: SetterEnv) -> Changes:
        return fn(value, env)

    return convert


def _text_setter(dotted: str, what: str, **limits: Any) -> Converter:
    return _sync(lambda v, _env: {dotted: text(v, what, **limits)})


def _bool_setter(dotted: str, what: str) -> Converter:
    return _sync(lambda v, _env: {dotted: flag(v, what)})


def _strings_setter(dotted: str, what: str, *, max_len: int = 255) -> Converter:
    return _sync(lambda v, _env: {dotted: strings(v, what, max_len=max_len)})


def _url_setter(dotted: str, what: str, schemes: tuple[str, ...] = ("http", "https")) -> Converter:
    return _sync(lambda v, _env: {dotted: url(v, what, schemes)})


async def _admin_password(value: Any, env: SetterEnv) -> Changes:
    plain = text(value, "adminpass", max_len=72)
    if not plain:
        raise BadRequestError("adminpass must not be empty")
    if len(plain.encode()) > 72:
        raise BadRequestError("adminpass must be at most 72 bytes (a bcrypt limit)")
    assert env.hash_password is not None
    return {"admin.password_hash": await env.hash_password(plain)}


def _stream_keys(value: Any, _env: SetterEnv) -> Changes:
    entries = array(value, "streamkeys", max_items=50)
    if not entries:
        raise BadRequestError("streamkeys must have at least one key")
    keys: list[dict[str, str]] = []
    for i, raw in enumerate(entries):
        entry = obj(raw, f"streamkeys[{i}]")
        key = text(entry.get("key"), f"streamkeys[{i}].key", max_len=256)
        if problem := checks.stream_key(key):
            raise BadRequestError(f"streamkeys[{i}].key {problem}")
        comment = text(field_of(entry, "comment", ""), f"streamkeys[{i}].comment")
        if any(k["key"] == key for k in keys):
            raise BadRequestError(f"streamkeys[{i}].key repeats an earlier key")
        keys.append({"key": key, "comment": comment})
    return {"rtmp.stream_keys": keys}


def _tags(value: Any, _env: SetterEnv) -> Changes:
    tags = [tag.lstrip("#").strip() for tag in strings(value, "tags", max_len=64)]
    return {"server.tags": [tag for tag in tags if tag]}


def _social_handles(value: Any, _env: SetterEnv) -> Changes:
    handles = []
    for i, raw in enumerate(array(value, "socialhandles")):
        entry = obj(raw, f"socialhandles[{i}]")
        platform = text(entry.get("platform"), f"socialhandles[{i}].platform", max_len=64)
        if not platform.strip():
            raise BadRequestError(f"socialhandles[{i}].platform must not be empty")
        link = url(entry.get("url"), f"socialhandles[{i}].url", required=True)
        handles.append({"platform": platform, "url": link})
    return {"server.social_handles": handles}


def _icon(value: Any, what: str) -> str:
    icon = text(value, what, max_len=2048)
    if icon.startswith("/") and not icon.startswith("//"):
        return icon  # a path on this server, e.g. /public/icon.png
    return url(icon, what)


def _external_actions(value: Any, _env: SetterEnv) -> Changes:
    actions = []
    for i, raw in enumerate(array(value, "externalactions", max_items=50)):
        entry = obj(raw, f"externalactions[{i}]")
        where = f"externalactions[{i}]"
        title = text(entry.get("title"), f"{where}.title")
        if not title.strip():
            raise BadRequestError(f"{where}.title must not be empty")
        color = text(field_of(entry, "color", ""), f"{where}.color", max_len=64)
        if not COLOR_OK.match(color):
            raise BadRequestError(f"{where}.color must be a CSS colour such as #ff0000")
        actions.append(
            {
                "url": url(entry.get("url"), f"{where}.url", required=True),
                "title": title,
                "description": text(
                    field_of(entry, "description", ""), f"{where}.description", max_len=1024
                ),
                "icon": _icon(field_of(entry, "icon", ""), f"{where}.icon"),
                "color": color,
                "open_externally": flag(
                    field_of(entry, "openExternally", False), f"{where}.openExternally"
                ),
            }
        )
    return {"server.external_actions": actions}


def _appearance(value: Any, _env: SetterEnv) -> Changes:
    variables = obj(value, "appearance")
    if len(variables) > MAX_LIST:
        raise BadRequestError(f"appearance must have at most {MAX_LIST} entries")
    out: dict[str, str] = {}
    for name, raw in variables.items():
        if not CSS_NAME.match(name):
            raise BadRequestError(f"appearance: {name[:40]!r} is not a CSS variable name")
        css = text(raw, f"appearance.{name}", max_len=200)
        if CSS_VALUE_BAD.search(css):
            raise BadRequestError(f"appearance.{name} must not contain ; {{ }} < > or \\")
        out[name] = css
    return {"server.appearance_variables": out}


def _port(dotted: str, what: str) -> Converter:
    return _sync(lambda v, _env: {dotted: int_in(v, what, 1, 65535)})


def _ip(dotted: str, what: str) -> Converter:
    def convert(value: Any, _env: SetterEnv) -> Changes:
        address = text(value, what, max_len=64)
        if problem := checks.ip_address(address):
            raise BadRequestError(f"{what} {problem}")
        return {dotted: address}

    return _sync(convert)


async def _ffmpeg_path(value: Any, env: SetterEnv) -> Changes:
    path = text(value, "ffmpegpath", max_len=4096)
    if path and env.check_ffmpeg is not None and (problem := await env.check_ffmpeg(path)):
        raise BadRequestError(f"ffmpegpath: {problem}")
    return {"video.ffmpeg_path": path}


async def _logo(value: Any, env: SetterEnv) -> Changes:
    data_uri = text(value, "logo", max_len=8 * 1024 * 1024)
    assert env.save_logo is not None
    return {"server.logo": await env.save_logo(data_uri)}


def _s3(value: Any, _env: SetterEnv) -> Changes:
    entry = obj(value, "s3")

    def string(key: str, **limits: Any) -> str:
        return text(field_of(entry, key, ""), f"s3.{key}", **limits)

    return flat(
        "s3",
        {
            "enabled": flag(field_of(entry, "enabled", False), "s3.enabled"),
            "endpoint": url(field_of(entry, "endpoint", ""), "s3.endpoint"),
            "serving_endpoint": url(field_of(entry, "servingEndpoint", ""), "s3.servingEndpoint"),
            "access_key": string("accessKey", max_len=1024),
            "secret": string("secret", max_len=1024),
            "bucket": string("bucket", max_len=255),
            "region": string("region", max_len=255),
            "acl": string("acl", max_len=64),
            "force_path_style": flag(field_of(entry, "forcePathStyle", False), "s3.forcePathStyle"),
        },
    )


def _codec(value: Any, env: SetterEnv) -> Changes:
    codec = text(value, "video/codec", max_len=64)
    if codec not in KNOWN_CODECS:
        raise BadRequestError(
            f"video/codec must be one of {', '.join(KNOWN_CODECS)} (got {codec[:40]!r})"
        )
    if env.supported_codecs and codec not in env.supported_codecs:
        supported = ", ".join(env.supported_codecs)
        raise BadRequestError(f"video/codec {codec} is not offered by this ffmpeg ({supported})")
    return {"video.codec": codec}


VARIANT_INTS = (
    # JSON name, settings name, low, high
    ("videoBitrate", "video_bitrate", 1, 100_000),
    ("audioBitrate", "audio_bitrate", 0, 100_000),
    ("scaledWidth", "scaled_width", 0, 8192),
    ("scaledHeight", "scaled_height", 0, 8192),
    ("framerate", "framerate", 1, 120),
    ("cpuUsageLevel", "cpu_usage_level", 0, 4),
)


def variant(raw: Any, where: str) -> dict[str, Any]:
    """One `StreamOutputVariant` → a `[[video.variants]]` table (missing fields default)."""
    entry = obj(raw, where)
    default = VideoVariant()
    passthrough = flag(field_of(entry, "videoPassthrough", False), f"{where}.videoPassthrough")
    out: dict[str, Any] = {
        "name": text(field_of(entry, "name", ""), f"{where}.name", max_len=64),
        "video_passthrough": passthrough,
        "audio_passthrough": flag(
            field_of(entry, "audioPassthrough", default.audio_passthrough),
            f"{where}.audioPassthrough",
        ),
    }
    for json_name, name, low, high in VARIANT_INTS:
        fallback = getattr(default, name)
        number = as_int(field_of(entry, json_name, fallback), f"{where}.{json_name}")
        if passthrough and number == 0 and low > 0:
            number = fallback  # unused for a passthrough variant; Owncast sends 0
        out[name] = int_in(number, f"{where}.{json_name}", low, high)
    return out


def _variants(value: Any, _env: SetterEnv) -> Changes:
    entries = array(value, "video/streamoutputvariants", max_items=10)
    if not entries:
        raise BadRequestError("video/streamoutputvariants must have at least one variant")
    return {
        "video.variants": [
            variant(raw, f"video/streamoutputvariants[{i}]") for i, raw in enumerate(entries)
        ]
    }


def _discord(value: Any, _env: SetterEnv) -> Changes:
    entry = obj(value, "notifications/discord")
    return flat(
        "notifications.discord",
        {
            "enabled": flag(field_of(entry, "enabled", False), "notifications/discord.enabled"),
            "webhook": url(field_of(entry, "webhook", ""), "notifications/discord.webhook"),
            "go_live_message": text(
                field_of(entry, "goLiveMessage", ""),
                "notifications/discord.goLiveMessage",
                max_len=2000,
                multiline=True,
            ),
        },
    )


def _browser(value: Any, _env: SetterEnv) -> Changes:
    entry = obj(value, "notifications/browser")
    return flat(
        "notifications.browser",
        {
            "enabled": flag(field_of(entry, "enabled", False), "notifications/browser.enabled"),
            "go_live_message": text(
                field_of(entry, "goLiveMessage", ""),
                "notifications/browser.goLiveMessage",
                max_len=2000,
                multiline=True,
            ),
        },
    )


def _federation_username(value: Any, _env: SetterEnv) -> Changes:
    name = text(value, "federation/username", max_len=64)
    if problem := checks.account_name(name):
        raise BadRequestError(f"federation/username {problem}")
    return {"federation.username": name}


def _blocked_domains(value: Any, _env: SetterEnv) -> Changes:
    domains = [d.strip().lower() for d in strings(value, "federation/blockdomains")]
    return {"federation.blocked_domains": [d for d in domains if d]}


def _setter(name: str, summary: str, convert: Converter, applies: Applies = "now") -> Setter:
    return Setter(name, summary, convert, applies)


SETTERS: tuple[Setter, ...] = (
    _setter("adminpass", "Change the admin password", _admin_password),
    _setter("streamkeys", "Set the valid stream keys", _sync(_stream_keys), "next stream"),
    _setter("name", "Set the server name", _text_setter("server.name", "name")),
    _setter(
        "serversummary",
        "Set the server summary (markdown)",
        _text_setter("server.summary", "serversummary", max_len=MAX_MARKDOWN, multiline=True),
    ),
    _setter(
        "streamtitle", "Set the stream title", _text_setter("server.stream_title", "streamtitle")
    ),
    _setter(
        "welcomemessage",
        "Set the chat welcome message (markdown)",
        _text_setter(
            "server.welcome_message", "welcomemessage", max_len=MAX_MARKDOWN, multiline=True
        ),
    ),
    _setter(
        "offlinemessage",
        "Set the offline message (markdown)",
        _text_setter(
            "server.offline_message", "offlinemessage", max_len=MAX_MARKDOWN, multiline=True
        ),
    ),
    _setter(
        "pagecontent",
        "Set the page content (markdown)",
        _text_setter(
            "server.extra_page_content", "pagecontent", max_len=MAX_MARKDOWN, multiline=True
        ),
    ),
    _setter("tags", "Set the server tags", _sync(_tags)),
    _setter("logo", "Upload the logo (a data: URI image)", _logo),
    _setter("socialhandles", "Set the social handles", _sync(_social_handles)),
    _setter("externalactions", "Set the external actions", _sync(_external_actions)),
    _setter(
        "customstyles",
        "Set custom CSS",
        _text_setter("server.custom_styles", "customstyles", max_len=MAX_CODE, multiline=True),
    ),
    _setter(
        "customjavascript",
        "Set custom JavaScript",
        _text_setter(
            "server.custom_javascript", "customjavascript", max_len=MAX_CODE, multiline=True
        ),
    ),
    _setter("appearance", "Set the appearance variables", _sync(_appearance)),
    _setter("nsfw", "Mark the content as NSFW", _bool_setter("server.nsfw", "nsfw")),
    _setter(
        "hideviewercount",
        "Hide the viewer count",
        _bool_setter("server.hide_viewer_count", "hideviewercount"),
    ),
    _setter(
        "disablesearchindexing",
        "Ask search engines not to index",
        _bool_setter("server.disable_search_indexing", "disablesearchindexing"),
    ),
    _setter(
        "directoryenabled",
        "List the server in the directory",
        _bool_setter("directory.enabled", "directoryenabled"),
    ),
    _setter("serverurl", "Set the public server URL", _url_setter("server.url", "serverurl")),
    _setter(
        "sockethostoverride",
        "Set the chat websocket host override",
        _url_setter(
            "web.socket_host_override", "sockethostoverride", ("ws", "wss", "http", "https")
        ),
    ),
    _setter(
        "videoservingendpoint",
        "Set the video serving endpoint (CDN)",
        _url_setter("web.video_serving_endpoint", "videoservingendpoint"),
    ),
    _setter("webserverip", "Set the HTTP listen address", _ip("web.ip", "webserverip"), "restart"),
    _setter("webserverport", "Set the HTTP port", _port("web.port", "webserverport"), "restart"),
    _setter("rtmpserverport", "Set the RTMP port", _port("rtmp.port", "rtmpserverport"), "restart"),
    _setter(
        "rtmpserverbindaddress",
        "Set the RTMP listen address",
        _ip("rtmp.ip", "rtmpserverbindaddress"),
        "restart",
    ),
    _setter("ffmpegpath", "Set the ffmpeg path", _ffmpeg_path, "restart"),
    _setter("s3", "Set the S3 storage configuration", _sync(_s3), "next stream"),
    _setter("video/codec", "Set the video encoder", _sync(_codec), "next stream"),
    _setter(
        "video/streamlatencylevel",
        "Set the latency level (0-4)",
        _sync(lambda v, _env: {"video.latency_level": int_in(v, "video/streamlatencylevel", 0, 4)}),
        "next stream",
    ),
    _setter(
        "video/streamoutputvariants",
        "Set the output variants",
        _sync(_variants),
        "next stream",
    ),
    _setter("chat/disable", "Disable chat", _bool_setter("chat.disabled", "chat/disable")),
    _setter(
        "chat/joinmessagesenabled",
        "Announce users joining chat",
        _bool_setter("chat.join_messages_enabled", "chat/joinmessagesenabled"),
    ),
    _setter(
        "chat/establishedusermode",
        "Only established users may chat",
        _bool_setter("chat.established_user_mode", "chat/establishedusermode"),
    ),
    _setter(
        "chat/spamprotectionenabled",
        "Rate-limit chat messages",
        _bool_setter("chat.spam_protection_enabled", "chat/spamprotectionenabled"),
    ),
    _setter(
        "chat/slurfilterenabled",
        "Filter slurs in chat",
        _bool_setter("chat.slur_filter_enabled", "chat/slurfilterenabled"),
    ),
    _setter(
        "chat/requireauthentication",
        "Require an external login to chat",
        _bool_setter("chat.require_authentication", "chat/requireauthentication"),
    ),
    _setter(
        "chat/forbiddenusernames",
        "Set the forbidden display names",
        _strings_setter("chat.forbidden_usernames", "chat/forbiddenusernames", max_len=64),
    ),
    _setter(
        "chat/suggestedusernames",
        "Set the suggested display names",
        _strings_setter("chat.suggested_usernames", "chat/suggestedusernames", max_len=64),
    ),
    _setter(
        "federation/enable",
        "Enable federation",
        _bool_setter("federation.enabled", "federation/enable"),
    ),
    _setter(
        "federation/private",
        "Make federation private",
        _bool_setter("federation.private", "federation/private"),
    ),
    _setter(
        "federation/showengagement",
        "Show fediverse engagement in chat",
        _bool_setter("federation.show_engagement", "federation/showengagement"),
    ),
    _setter("federation/username", "Set the fediverse username", _sync(_federation_username)),
    _setter(
        "federation/livemessage",
        "Set the go-live post",
        _text_setter(
            "federation.go_live_message", "federation/livemessage", max_len=500, multiline=True
        ),
    ),
    _setter("federation/blockdomains", "Set the blocked domains", _sync(_blocked_domains)),
    _setter("notifications/discord", "Configure Discord notifications", _sync(_discord)),
    _setter("notifications/browser", "Configure browser notifications", _sync(_browser)),
)
