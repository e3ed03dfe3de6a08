"""Admin setters with their own converters (named `Custom` bodies in the settings table).

Each takes the JSON `value` (Owncast's camelCase shapes) and returns dotted settings changes, or
raises :class:`BadRequestError`. The few with side effects (hashing a password, saving a logo,
running ffmpeg) get them from the :class:`SetterEnv`.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from owncastd.config import checks as checks
from owncastd.config.bodies import MAX_MARKDOWN
from owncastd.config.settings import AUTOPLAY_MODES, KNOWN_CODECS, VideoVariant
from owncastd.http.admin.setter_schedule import SCHEDULE_SETTERS
from owncastd.http.admin.setter_values import (
    MAX_LIST,
    Changes,
    Converter,
    SetterEnv,
    array,
    field_of,
    flag,
    int_in,
    obj,
    strings,
    text,
    url,
)
from owncastd.http.json_body import BadRequestError, as_int, json_kind

CSS_NAME = re.compile(r"^-{0,2}[A-Za-z0-9_-]{1,100}$")
CSS_VALUE_BAD = re.compile(r"[;{}<>\\]")
COLOR_OK = re.compile(r"^[#A-Za-z0-9(),.%\s-]{0,64}$")


def _sync(fn: Callable[[Any, SetterEnv], Changes]) -> Converter:
    async def convert(value: Any, env: SetterEnv) -> Changes:
        return fn(value, env)

    return convert


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
        icon = field_of(entry, "icon", "")
        icon = _icon(icon, f"socialhandles[{i}].icon") if icon else ""
        handles.append({"platform": platform, "url": link} | ({"icon": icon} if icon else {}))
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


async def _ffmpeg_path(value: Any, env: SetterEnv) -> Changes:
    path = text(value, "ffmpegpath", max_len=4096)
    if path and env.check_ffmpeg is not None and (problem := await env.check_ffmpeg(path)):
        raise BadRequestError(f"ffmpegpath: {problem}")
    return {"video.ffmpeg_path": path}


async def _logo(value: Any, env: SetterEnv) -> Changes:
    data_uri = text(value, "logo", max_len=8 * 1024 * 1024)
    assert env.save_logo is not None
    return {"server.logo": await env.save_logo(data_uri)}


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


def _federation_username(value: Any, _env: SetterEnv) -> Changes:
    name = text(value, "federation/username", max_len=64)
    if problem := checks.account_name(name):
        raise BadRequestError(f"federation/username {problem}")
    return {"federation.username": name}


# Go's net.IP.IsPrivate: what Owncast's serverurl setter refuses as a literal host.
GO_PRIVATE_NETS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


def _server_url(value: Any, _env: SetterEnv) -> Changes:
    """Owncast's serverurl checks and messages (develop §5.6); "" still clears the URL."""
    if not isinstance(value, str):
        raise BadRequestError("could not read server url")
    link = text(value, "serverurl", max_len=2048).rstrip("/")
    if link and checks.http_url()(link):
        raise BadRequestError("server url value invalid")
    try:
        host = ipaddress.ip_address((urllib.parse.urlsplit(link).hostname or "").strip("[]"))
    except ValueError:
        host = None  # a name, not an IP literal
    if host is not None and any(host in net for net in GO_PRIVATE_NETS):
        raise BadRequestError("Server URL cannot be private")
    return {"server.url": link}


def _trimmed_markdown(setter: str, path: str) -> Converter:
    """Markdown stored trimmed, as Owncast's welcomemessage and offlinemessage setters do."""

    def convert(value: Any, _env: SetterEnv) -> Changes:
        return {path: text(value, setter, max_len=MAX_MARKDOWN, multiline=True).strip()}

    return _sync(convert)


def _autoplay(value: Any, _env: SetterEnv) -> Changes:
    """Owncast's message for anything but the three modes (models, develop §5.5)."""
    if not isinstance(value, str) or value not in AUTOPLAY_MODES:
        shown = value[:40] if isinstance(value, str) else json_kind(value)
        raise BadRequestError(f'invalid autoplay value "{shown}"')
    return {"server.autoplay": value}


def _blocked_domains(value: Any, _env: SetterEnv) -> Changes:
    domains = [d.strip().lower() for d in strings(value, "federation/blockdomains")]
    return {"federation.blocked_domains": [d for d in domains if d]}


# Setter name → converter, for the table's `Custom` bodies.
CUSTOM: dict[str, Converter] = {
    "adminpass": _admin_password,
    "streamkeys": _sync(_stream_keys),
    "tags": _sync(_tags),
    "logo": _logo,
    "socialhandles": _sync(_social_handles),
    "externalactions": _sync(_external_actions),
    "appearance": _sync(_appearance),
    "ffmpegpath": _ffmpeg_path,
    "video/codec": _sync(_codec),
    "video/streamoutputvariants": _sync(_variants),
    "federation/username": _sync(_federation_username),
    "federation/blockdomains": _sync(_blocked_domains),
    **SCHEDULE_SETTERS,
    "autoplay": _sync(_autoplay),
    "serverurl": _sync(_server_url),
    "welcomemessage": _trimmed_markdown("welcomemessage", "server.welcome_message"),
    "offlinemessage": _trimmed_markdown("offlinemessage", "server.offline_message"),
}
