"""The table behind `owncastctl config`: our keys, Owncast's setters, value types, where to read.

Keys are those of ``owncast.toml`` (``server.name``, ``video.latency_level`` …). Each maps to the
admin setter ``POST /api/admin/config/<setter>`` (reference §1.5), a parser for the command-line
value, and the field of ``/api/admin/serverconfig`` that reports it. Keys inside an object
setter (``s3.bucket``, ``notifications.discord.webhook``) are set by reading the object,
changing one field and sending it back. Owncast's setter names (``video/streamlatencylevel``)
and a few short aliases are accepted too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from owncastctl import config_values as v
from owncastctl.errors import CtlUsageError


@dataclass(frozen=True)
class Key:
    """One settable key."""

    name: str
    setter: str
    parse: v.Parser
    read: str  # dotted path in /api/admin/serverconfig ("" when the server does not report it)
    kind: str  # how to type the value, shown in `config keys`
    field: str = ""  # the field inside an object setter
    restart: bool = False  # applies after a daemon restart
    secret: bool = False  # redacted in `config show`


def _k(name: str, setter: str, parse: v.Parser, read: str, kind: str, **extra: Any) -> Key:
    return Key(name, setter, parse, read, kind, **extra)


HANDLES = v.json_objects(("platform", "url"), ("icon",))
ACTIONS = v.json_objects(
    ("url", "title"), ("description", "icon", "color", "openExternally", "html")
)
S3_FIELDS = {
    "enabled": ("enabled", v.boolean, "bool"),
    "endpoint": ("endpoint", v.url(), "http(s) URL"),
    "serving_endpoint": ("servingEndpoint", v.url(), "http(s) URL"),
    "access_key": ("accessKey", v.text(), "text"),
    "secret": ("secret", v.text(), "text"),
    "bucket": ("bucket", v.text(), "text"),
    "region": ("region", v.text(), "text"),
    "acl": ("acl", v.text(), "text"),
    "force_path_style": ("forcePathStyle", v.boolean, "bool"),
}

KEYS: tuple[Key, ...] = (
    _k("server.name", "name", v.text(255), "instanceDetails.name", "text"),
    _k("server.summary", "serversummary", v.text(), "instanceDetails.summary", "text"),
    _k("server.stream_title", "streamtitle", v.text(255), "instanceDetails.streamTitle", "text"),
    _k(
        "server.extra_page_content",
        "pagecontent",
        v.text(),
        "instanceDetails.extraPageContent",
        "markdown",
    ),
    _k(
        "server.welcome_message",
        "welcomemessage",
        v.text(),
        "instanceDetails.welcomeMessage",
        "markdown",
    ),
    _k(
        "server.offline_message",
        "offlinemessage",
        v.text(),
        "instanceDetails.offlineMessage",
        "markdown",
    ),
    _k("server.logo", "logo", v.image, "instanceDetails.logo", "image file or data: URI"),
    _k("server.tags", "tags", v.string_list, "instanceDetails.tags", "list (a,b or JSON)"),
    _k("server.nsfw", "nsfw", v.boolean, "instanceDetails.nsfw", "bool"),
    _k("server.hide_viewer_count", "hideviewercount", v.boolean, "hideViewerCount", "bool"),
    _k(
        "server.disable_search_indexing",
        "disablesearchindexing",
        v.boolean,
        "disableSearchIndexing",
        "bool",
    ),
    _k("server.url", "serverurl", v.url(), "yp.instanceUrl", "http(s) URL"),
    _k(
        "server.social_handles",
        "socialhandles",
        HANDLES,
        "instanceDetails.socialHandles",
        'JSON [{"platform","url"}]',
    ),
    _k(
        "server.external_actions",
        "externalactions",
        ACTIONS,
        "externalActions",
        'JSON [{"url","title",…}]',
    ),
    _k("server.custom_styles", "customstyles", v.text(), "instanceDetails.customStyles", "CSS"),
    _k(
        "server.custom_javascript",
        "customjavascript",
        v.text(),
        "instanceDetails.customJavascript",
        "JavaScript",
    ),
    _k(
        "server.appearance_variables",
        "appearance",
        v.string_map,
        "instanceDetails.appearanceVariables",
        "JSON {name: value}",
    ),
    _k("web.ip", "webserverip", v.ip_address, "webServerIP", "IP address", restart=True),
    _k("web.port", "webserverport", v.integer(1, 65535), "webServerPort", "1..65535", restart=True),
    _k(
        "web.socket_host_override",
        "sockethostoverride",
        v.url(("ws", "wss", "http", "https")),
        "socketHostOverride",
        "ws(s) or http(s) URL",
    ),
    _k(
        "web.video_serving_endpoint",
        "videoservingendpoint",
        v.url(),
        "videoServingEndpoint",
        "http(s) URL",
    ),
    _k(
        "rtmp.ip", "rtmpserverbindaddress", v.ip_address, "rtmpServerIP", "IP address", restart=True
    ),
    _k(
        "rtmp.port",
        "rtmpserverport",
        v.integer(1, 65535),
        "rtmpServerPort",
        "1..65535",
        restart=True,
    ),
    _k(
        "rtmp.stream_keys",
        "streamkeys",
        v.stream_keys,
        "streamKeys",
        'JSON [{"key","comment"}]',
        secret=True,
    ),
    _k("video.ffmpeg_path", "ffmpegpath", v.text(), "ffmpegPath", "path"),
    _k("video.codec", "video/codec", v.codec, "videoCodec", "encoder name"),
    _k(
        "video.latency_level",
        "video/streamlatencylevel",
        v.integer(0, 4),
        "videoSettings.latencyLevel",
        "0..4",
    ),
    _k(
        "video.variants",
        "video/streamoutputvariants",
        v.variants,
        "videoSettings.videoQualityVariants",
        "JSON [variant]",
    ),
    _k("chat.disabled", "chat/disable", v.boolean, "chatDisabled", "bool"),
    _k(
        "chat.join_messages_enabled",
        "chat/joinmessagesenabled",
        v.boolean,
        "chatJoinMessagesEnabled",
        "bool",
    ),
    _k(
        "chat.established_user_mode",
        "chat/establishedusermode",
        v.boolean,
        "chatEstablishedUserMode",
        "bool",
    ),
    _k(
        "chat.spam_protection_enabled",
        "chat/spamprotectionenabled",
        v.boolean,
        "chatSpamProtectionEnabled",
        "bool",
    ),
    _k(
        "chat.slur_filter_enabled",
        "chat/slurfilterenabled",
        v.boolean,
        "chatSlurFilterEnabled",
        "bool",
    ),
    _k(
        "chat.require_authentication",
        "chat/requireauthentication",
        v.boolean,
        "chatRequireAuthentication",
        "bool",
    ),
    _k(
        "chat.forbidden_usernames",
        "chat/forbiddenusernames",
        v.string_list,
        "forbiddenUsernames",
        "list (a,b or JSON)",
    ),
    _k(
        "chat.suggested_usernames",
        "chat/suggestedusernames",
        v.string_list,
        "suggestedUsernames",
        "list (a,b or JSON)",
    ),
    *(
        _k(f"s3.{ours}", "s3", parse, f"s3.{theirs}", kind, field=theirs, secret=ours == "secret")
        for ours, (theirs, parse, kind) in S3_FIELDS.items()
    ),
    _k("directory.enabled", "directoryenabled", v.boolean, "yp.enabled", "bool"),
    _k("federation.enabled", "federation/enable", v.boolean, "federation.enabled", "bool"),
    _k("federation.private", "federation/private", v.boolean, "federation.isPrivate", "bool"),
    _k(
        "federation.username",
        "federation/username",
        v.account_name,
        "federation.username",
        "account name",
    ),
    _k(
        "federation.go_live_message",
        "federation/livemessage",
        v.text(),
        "federation.goLiveMessage",
        "text",
    ),
    _k(
        "federation.show_engagement",
        "federation/showengagement",
        v.boolean,
        "federation.showEngagement",
        "bool",
    ),
    _k(
        "federation.blocked_domains",
        "federation/blockdomains",
        v.string_list,
        "federation.blockedDomains",
        "list (a,b or JSON)",
    ),
    _k(
        "notifications.discord.enabled",
        "notifications/discord",
        v.boolean,
        "notifications.discord.enabled",
        "bool",
        field="enabled",
    ),
    _k(
        "notifications.discord.webhook",
        "notifications/discord",
        v.url(),
        "notifications.discord.webhook",
        "http(s) URL",
        field="webhook",
        secret=True,
    ),
    _k(
        "notifications.discord.go_live_message",
        "notifications/discord",
        v.text(),
        "notifications.discord.goLiveMessage",
        "text",
        field="goLiveMessage",
    ),
    _k(
        "notifications.browser.enabled",
        "notifications/browser",
        v.boolean,
        "notifications.browser.enabled",
        "bool",
        field="enabled",
    ),
    _k(
        "notifications.browser.go_live_message",
        "notifications/browser",
        v.text(),
        "notifications.browser.goLiveMessage",
        "text",
        field="goLiveMessage",
    ),
)
BY_NAME = {key.name: key for key in KEYS}
# Owncast's setter names (for keys that are not object fields) and a few short names.
ALIASES = {
    **{key.setter: key.name for key in KEYS if not key.field},
    "video.latency": "video.latency_level",
    "title": "server.stream_title",
    "server.title": "server.stream_title",
    "stream_title": "server.stream_title",
}
# The password has its own command.
REDIRECTS = {
    "admin.password": "use `owncastctl password set`",
    "admin.password_hash": "use `owncastctl password set`",
    "adminpass": "use `owncastctl password set`",
}


def lookup(name: str) -> Key:
    """The key called `name` (an alias or Owncast setter name works too)."""
    if name in REDIRECTS:
        raise CtlUsageError(f"{name} cannot be set with `config set`: {REDIRECTS[name]}")
    key = BY_NAME.get(ALIASES.get(name, name))
    if key is None:
        close = difflib.get_close_matches(name, [*BY_NAME, *ALIASES], n=1, cutoff=0.5)
        hint = f' (did you mean "{ALIASES.get(close[0], close[0])}"?)' if close else ""
        raise CtlUsageError(f"unknown key {name!r}{hint}; `owncastctl config keys` lists them")
    return key


def parse_value(key: Key, raw: str) -> Any:
    """The value to send for `key`, parsed from the command line."""
    try:
        return key.parse(raw)
    except ValueError as exc:
        raise CtlUsageError(f"{key.name} {exc}") from None


def read_path(config: Any, path: str) -> tuple[bool, Any]:
    """`(found, value)` of a dotted `path` in the server config."""
    node = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def current(config: Any, key: Key) -> tuple[bool, Any]:
    """`(found, value)` of `key` in `/api/admin/serverconfig`."""
    return read_path(config, key.read) if key.read else (False, None)


def object_value(config: Any, key: Key, value: Any) -> dict[str, Any]:
    """The whole object to send for a field key: the current object with one field changed."""
    parent = key.read.rsplit(".", 1)[0]
    found, whole = read_path(config, parent)
    body = dict(whole) if found and isinstance(whole, dict) else {}
    body[key.field] = value
    return body
