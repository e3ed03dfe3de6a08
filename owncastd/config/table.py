"""The settings table: one entry per key of `owncast.toml`, the single source for every fact.

Each :class:`Setting` gives a key's TOML path, its check (bounds, enum, URL…), Owncast's admin
setter (`POST /api/admin/config/<setter>`, the field inside an object body, and the JSON shape of
the value), its place in `/api/admin/serverconfig`, when a change applies (now / next stream /
restart), whether it is a secret, whether its feature exists yet, and a one-line doc. The type and
default come from the typed :class:`owncastd.config.settings.Settings` field of the same path (the
code that uses the key), joined in :mod:`owncastd.config.schema`.

Generated from this table: loading, env layering and validation (schema, env), the admin setters
and the serverconfig payload (http/admin), `GET /api/admin/config/keys` (which `owncastctl`
reads), and the checks of the sample file and of `openapi.yaml`. A new setting is one entry here
plus the code that uses it.
"""

from __future__ import annotations

from owncastd.config.setting import Applies, Setting
from owncastd.config.table_chatwoot import CHATWOOT
from owncastd.config.table_cluster import CLUSTER
from owncastd.config.table_llhls import LLHLS
from owncastd.config.table_media import CHAT, VIDEO
from owncastd.config.table_more import ELSEWHERE
from owncastd.config.table_replays import REPLAYS
from owncastd.config.table_schedule import SCHEDULE
from owncastd.config.table_server import LISTENERS, SERVER

__all__ = ["BY_PATH", "SETTER_SUMMARIES", "TABLE", "Applies", "Setting", "setters", "supported"]

TABLE: tuple[Setting, ...] = (
    SERVER + LISTENERS + VIDEO + CHAT + ELSEWHERE + SCHEDULE + CHATWOOT + REPLAYS + LLHLS + CLUSTER
)
# One summary per admin setter (the OpenAPI summary; several keys may share an object setter).
SETTER_SUMMARIES: dict[str, str] = {
    "adminpass": "Change the admin password",
    "streamkeys": "Set the valid stream keys",
    "name": "Set the server name",
    "serversummary": "Set the server summary (markdown)",
    "streamtitle": "Set the stream title",
    "welcomemessage": "Set the chat welcome message (markdown)",
    "offlinemessage": "Set the offline message (markdown)",
    "pagecontent": "Set the page content (markdown)",
    "tags": "Set the server tags",
    "logo": "Upload the logo (a data: URI image)",
    "socialhandles": "Set the social handles",
    "externalactions": "Set the external actions",
    "customstyles": "Set custom CSS",
    "customjavascript": "Set custom JavaScript",
    "appearance": "Set the appearance variables",
    "autoplay": "Set whether the video starts by itself",
    "nsfw": "Mark the content as NSFW",
    "hideviewercount": "Hide the viewer count",
    "disablesearchindexing": "Ask search engines not to index",
    "directoryenabled": "List the server in the directory",
    "serverurl": "Set the public server URL",
    "sockethostoverride": "Set the chat websocket host override",
    "videoservingendpoint": "Set the video serving endpoint (CDN)",
    "webserverip": "Set the HTTP listen address",
    "webserverport": "Set the HTTP port",
    "rtmpserverport": "Set the RTMP port",
    "rtmpserverbindaddress": "Set the RTMP listen address",
    "ffmpegpath": "Set the ffmpeg path",
    "s3": "Set the S3 storage configuration",
    "video/codec": "Set the video encoder",
    "video/streamlatencylevel": "Set the latency level (0-4)",
    "video/streamoutputvariants": "Set the output variants",
    "chat/disable": "Disable chat",
    "chat/joinmessagesenabled": "Announce users joining chat",
    "chat/establishedusermode": "Only established users may chat",
    "chat/spamprotectionenabled": "Rate-limit chat messages",
    "chat/slurfilterenabled": "Filter slurs in chat",
    "chat/requireauthentication": "Require an external login to chat",
    "chat/forbiddenusernames": "Set the forbidden display names",
    "chat/suggestedusernames": "Set the suggested display names",
    "federation/enable": "Enable federation",
    "federation/private": "Make federation private",
    "federation/showengagement": "Show fediverse engagement in chat",
    "federation/username": "Set the fediverse username",
    "federation/livemessage": "Set the go-live post",
    "federation/blockdomains": "Set the blocked domains",
    "federation/hidefollowers": "Hide the followers tab",
    "federation/enablequotes": "Allow quote posts",
    "notifications/discord": "Configure Discord notifications",
    "notifications/browser": "Configure browser notifications",
    "schedule/enabled": "Publish the schedule of upcoming streams",
    "schedule/showcountdown": "Show a countdown to the next scheduled stream",
    "schedule/chatopenminutes": "Open chat this many minutes before a scheduled stream",
    "schedule/remindermessage": "Set the Fediverse reminder sent before a scheduled stream",
}
BY_PATH: dict[str, Setting] = {s.path: s for s in TABLE}


def setters(table: tuple[Setting, ...] = TABLE) -> dict[str, tuple[Setting, ...]]:
    """Setter name → the keys it sets, in table order."""
    out: dict[str, tuple[Setting, ...]] = {}
    for setting in table:
        if setting.setter:
            out[setting.setter] = (*out.get(setting.setter, ()), setting)
    return out


def supported(path: str, table: tuple[Setting, ...] = TABLE) -> bool:
    """False while the feature behind the key at `path` does not exist."""
    return not next(s for s in table if s.path == path).feature


def feature_ready(feature: str, table: tuple[Setting, ...] = TABLE) -> bool:
    """True once no key is marked with `feature` (e.g. ``setting.FEDERATION``) any more."""
    return all(s.feature != feature for s in table)


def secret_paths(table: tuple[Setting, ...] = TABLE) -> tuple[tuple[str, ...], ...]:
    """The dotted paths the table marks secret, split into their parts."""
    return tuple(tuple(s.path.split(".")) for s in table if s.secret)


SECRET_PATHS = secret_paths()


def secret_values(settings: object, paths: tuple[tuple[str, ...], ...] = SECRET_PATHS) -> list[str]:
    """The values of every key the table marks secret (array items included), for redaction.

    The log filter asks on every record, so the paths are found once, not per call."""
    values: list[str] = []
    for path in paths:
        found: list[object] = [settings]
        for part in path:
            found = [
                item
                for owner in found
                for value in [getattr(owner, part, None)]
                for item in (value if isinstance(value, tuple) else (value,))
            ]
        values += [value for value in found if isinstance(value, str) and value]
    return values
