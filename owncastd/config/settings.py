"""Typed, frozen settings: the shape of `owncast.toml` and Owncast's defaults.

Every service receives the part of :class:`Settings` it needs; nothing reads a global. The
defaults here are Owncast's first-run defaults (reference §6.2) except where DESIGN.md says
otherwise (secrets start empty and are generated on first start). `config.py` turns TOML, env
vars and flags into a :class:`Settings`; this module has no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SUMMARY = "This is a new live video streaming server powered by Owncast."
# Owncast 0.1/0.2's first-run page content (config/defaults, develop §7.2), without its
# trailing demo <video> from third-party hosts (viewers' browsers would fetch it on every visit).
DEFAULT_PAGE_CONTENT = (
    "# Welcome to Owncast!\n\n"
    "- This is a live stream powered by [Owncast](https://owncast.online), a free and open "
    "source live streaming server.\n\n"
    "- To discover more examples of streams, visit "
    "[Owncast's directory](https://directory.owncast.online).\n\n"
    "- If you're the owner of this server you should visit the admin and customize the content "
    "on this page.\n\n"
    "<hr/>"
)
CPU_USAGE_LEVELS = range(0, 5)
AUTOPLAY_MODES = ("off", "always", "sound-only")  # Owncast develop's `autoplay` values
KNOWN_CODECS = (
    "libx264",
    "h264_nvenc",
    "h264_vaapi",
    "h264_qsv",
    "h264_omx",
    "h264_v4l2m2m",
    "h264_videotoolbox",
)


@dataclass(frozen=True)
class SocialHandle:
    """A link to the streamer elsewhere (`{platform, url, icon}`; a known platform's icon is
    always the built-in one, `icon` only shows for other platforms)."""

    platform: str
    url: str
    icon: str = ""


@dataclass(frozen=True)
class ExternalAction:
    """A button on the viewer page that opens a URL (Owncast's `externalActions`)."""

    url: str
    title: str
    description: str = ""
    icon: str = ""
    color: str = ""
    open_externally: bool = False


@dataclass(frozen=True)
class StreamKey:
    """A key accepted from RTMP publishers, with a note for the admin."""

    key: str
    comment: str = ""


@dataclass(frozen=True)
class VideoVariant:
    """One HLS output rendition (Owncast's `StreamOutputVariant`, reference §5.4).

    `scaled_width`/`scaled_height` of 0 mean "keep the source size"; `audio_bitrate` of 0 or
    `audio_passthrough` copies the source audio.
    """

    name: str = ""
    video_passthrough: bool = False
    audio_passthrough: bool = True
    video_bitrate: int = 1200
    audio_bitrate: int = 0
    scaled_width: int = 0
    scaled_height: int = 0
    framerate: int = 24
    cpu_usage_level: int = 2

    @property
    def display_name(self) -> str:
        """The name viewers see, generated like Owncast's when none is set."""
        if self.name:
            return self.name
        if self.video_passthrough:
            return "Source"
        if self.scaled_height in (720, 1080):
            return f"{self.scaled_height}p @{self.framerate}"
        if self.scaled_height:
            return f"{self.scaled_height}h"
        if self.scaled_width:
            return f"{self.scaled_width}w"
        return f"{self.video_bitrate}@{self.framerate}fps"


@dataclass(frozen=True)
class ServerSettings:
    """What viewers see about the instance (`[server]`)."""

    name: str = "New Owncast Server"
    summary: str = DEFAULT_SUMMARY
    stream_title: str = ""
    extra_page_content: str = DEFAULT_PAGE_CONTENT
    welcome_message: str = ""
    offline_message: str = ""
    logo: str = ""
    tags: tuple[str, ...] = ("owncast", "streaming")
    nsfw: bool = False
    hide_viewer_count: bool = False
    disable_search_indexing: bool = False
    url: str = ""
    social_handles: tuple[SocialHandle, ...] = (
        SocialHandle("github", "https://github.com/owncast/owncast"),
    )
    external_actions: tuple[ExternalAction, ...] = ()
    custom_styles: str = ""
    custom_javascript: str = ""
    appearance_variables: tuple[tuple[str, str], ...] = ()
    autoplay: str = "off"  # one of AUTOPLAY_MODES


@dataclass(frozen=True)
class AdminSettings:
    """Admin credentials (`[admin]`). The password is kept only as a bcrypt hash."""

    password_hash: str = ""


@dataclass(frozen=True)
class WebSettings:
    """The HTTP listener (`[web]`)."""

    ip: str = "0.0.0.0"
    port: int = 8080
    socket_host_override: str = ""
    video_serving_endpoint: str = ""
    # Peers whose X-Forwarded-For is believed (a reverse proxy on this host by default).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # The lean viewer path (http/transport/fast_path.py) and the listener's limits.
    fast_path: bool = True
    max_connections: int = 0  # 0: from the open-files limit
    max_connections_per_ip: int = 128
    header_timeout: int = 10
    keep_alive_timeout: int = 30
    write_timeout: int = 30
    max_header_bytes: int = 65536


@dataclass(frozen=True)
class RtmpSettings:
    """The RTMP listener and the keys it accepts (`[rtmp]`)."""

    ip: str = "0.0.0.0"
    port: int = 1935
    stream_keys: tuple[StreamKey, ...] = ()


@dataclass(frozen=True)
class VideoSettings:
    """Transcoding (`[video]`): latency level 0–4, encoder, output variants."""

    ffmpeg_path: str = ""
    codec: str = "libx264"
    latency_level: int = 2
    variants: tuple[VideoVariant, ...] = (VideoVariant(),)
    low_latency: bool = False  # LL-HLS alongside the classic output (hls/llhls)


@dataclass(frozen=True)
class ChatSettings:
    """Chat rules (`[chat]`)."""

    disabled: bool = False
    join_messages_enabled: bool = True
    established_user_mode: bool = False
    spam_protection_enabled: bool = True
    slur_filter_enabled: bool = False
    require_authentication: bool = False
    forbidden_usernames: tuple[str, ...] = ("owncast", "operator", "admin", "system")
    suggested_usernames: tuple[str, ...] = ()


@dataclass(frozen=True)
class S3Settings:
    """S3-compatible storage the HLS segments are offloaded to (`[s3]`, owncastd/storage)."""

    enabled: bool = False
    endpoint: str = ""
    serving_endpoint: str = ""
    access_key: str = ""
    secret: str = ""
    bucket: str = ""
    region: str = ""
    acl: str = ""
    force_path_style: bool = False
    path_prefix: str = ""


@dataclass(frozen=True)
class ScheduleSettings:
    """Scheduled events (`[schedule]`, develop §5.2): the public schedule and chat opening."""

    enabled: bool = False
    show_countdown: bool = True
    chat_open_minutes: int = 0
    reminder_message: str = ""


@dataclass(frozen=True)
class ReplaySettings:
    """Recordings of every broadcast (`[replays]`, issue 14)."""

    mode: str = "source"
    public: bool = False
    max_age_days: int = 0
    max_total_mb: int = 0
    min_free_mb: int = 1024
    export_mp4: bool = False


@dataclass(frozen=True)
class ChatwootSettings:
    """The Chatwoot bridge (`[chatwoot]`, issue 15): where Chatwoot is and what agents may do."""

    enabled: bool = False
    url: str = ""
    account_id: int = 0
    inbox_id: int = 0
    agent_bot_id: int = 0
    webhook_secret: str = field(default="", repr=False)
    api_token: str = field(default="", repr=False)
    allowed_agent_ids: tuple[str, ...] = ()
    relay_conversation_id: int = 0
    global_messages_per_minute: int = 600


@dataclass(frozen=True)
class DirectorySettings:
    """The Owncast directory (YP) listing (`[directory]`): pinged every 4 min while live."""

    enabled: bool = False
    service_url: str = "https://directory.owncast.online"


@dataclass(frozen=True)
class FederationSettings:
    """ActivityPub (`[federation]`, issue 11)."""

    enabled: bool = False
    private: bool = False
    username: str = "streamer"
    go_live_message: str = "I've gone live!"
    show_engagement: bool = True
    blocked_domains: tuple[str, ...] = ()
    hide_followers: bool = False
    enable_quotes: bool = False
    # Fetch from / deliver to loopback or private addresses and plain http (tests, private
    # networks); also lets an inbound keyId be an http URL.
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class DiscordSettings:
    """Discord go-live notification."""

    enabled: bool = False
    webhook: str = ""
    go_live_message: str = ""


@dataclass(frozen=True)
class BrowserPushSettings:
    """Browser push go-live notification (Web Push with VAPID keys made on first start)."""

    enabled: bool = True
    go_live_message: str = "I've gone live!"
    # Push endpoints on loopback/private addresses or plain http (tests, a private push service)
    allow_private_endpoints: bool = False


@dataclass(frozen=True)
class NotificationSettings:
    """Go-live notifications (`[notifications]`)."""

    discord: DiscordSettings = DiscordSettings()
    browser: BrowserPushSettings = BrowserPushSettings()


@dataclass(frozen=True)
class PathSettings:
    """Where the daemon keeps its files, resolved to absolute paths by `config.py`.

    `data_dir` comes from `--data-dir`/`OWNCAST_DATA_DIR` only (the config file lives in it by
    default); the others may also be set in `[paths]` and default to places under `data_dir`
    (`owncast.db`, `logs/`, `backup/`) as in Owncast.
    """

    data_dir: str = "data"
    database: str = ""
    log_dir: str = ""
    backup_dir: str = ""


@dataclass(frozen=True)
class Settings:
    """The whole effective configuration of one daemon."""

    server: ServerSettings = ServerSettings()
    admin: AdminSettings = AdminSettings()
    web: WebSettings = WebSettings()
    rtmp: RtmpSettings = RtmpSettings()
    video: VideoSettings = VideoSettings()
    chat: ChatSettings = ChatSettings()
    s3: S3Settings = S3Settings()
    directory: DirectorySettings = DirectorySettings()
    schedule: ScheduleSettings = ScheduleSettings()
    chatwoot: ChatwootSettings = ChatwootSettings()
    replays: ReplaySettings = ReplaySettings()
    federation: FederationSettings = FederationSettings()
    notifications: NotificationSettings = NotificationSettings()
    paths: PathSettings = PathSettings()
    verbose_logging: bool = False
    # A key given with --streamkey: accepted for this process only, never persisted.
    temporary_stream_key: str = field(default="", repr=False)


class SettingsRef:
    """The current settings, replaced whole when the admin changes something or on reload.

    Services keep the ref and read `.current` when they need a value, so changes apply on the
    next use without restarting them.
    """

    def __init__(self, settings: Settings) -> None:
        self.current = settings

    def replace(self, settings: Settings) -> None:
        """Swap in a new settings object (already validated)."""
        self.current = settings
