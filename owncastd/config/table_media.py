"""Settings table: transcoding ([video]) and chat ([chat])."""

from __future__ import annotations

from owncastd.config import bodies as b
from owncastd.config import checks as c
from owncastd.config.setting import (
    NEXT,
    RESTART,
    Setting,
    entry,
)
from owncastd.config.settings import KNOWN_CODECS

VIDEO: tuple[Setting, ...] = (
    entry(
        "video.ffmpeg_path",
        "Path to the ffmpeg binary",
        setter="ffmpegpath",
        body=b.Custom("path"),
        shown="ffmpegPath",
        applies=RESTART,
    ),
    entry(
        "video.codec",
        "H.264 encoder",
        check=c.codec,
        setter="video/codec",
        body=b.Custom("codec", KNOWN_CODECS),
        shown="videoCodec",
        applies=NEXT,
    ),
    entry(
        "video.latency_level",
        "Latency level (segment length and playlist size)",
        check=c.int_range(0, 4),
        setter="video/streamlatencylevel",
        body=b.Int(0, 4),
        shown="videoSettings.latencyLevel",
        applies=NEXT,
    ),
    entry(
        "video.variants",
        "Output renditions",
        check=c.at_least_one_variant,
        setter="video/streamoutputvariants",
        body=b.Custom("variants"),
        shown="videoSettings.videoQualityVariants",
        applies=NEXT,
    ),
    entry("video.variants.name", "Name shown to viewers", check=c.max_len(64)),
    entry("video.variants.video_passthrough", "Copy the source video"),
    entry("video.variants.audio_passthrough", "Copy the source audio"),
    entry("video.variants.video_bitrate", "Video bitrate in kbps", check=c.int_range(1, 100_000)),
    entry("video.variants.audio_bitrate", "Audio bitrate in kbps", check=c.int_range(0, 100_000)),
    entry("video.variants.scaled_width", "Output width in pixels", check=c.int_range(0, 8192)),
    entry("video.variants.scaled_height", "Output height in pixels", check=c.int_range(0, 8192)),
    entry("video.variants.framerate", "Frames per second", check=c.int_range(1, 120)),
    entry("video.variants.cpu_usage_level", "Encoder speed", check=c.int_range(0, 4)),
)


def _chat(name: str, setter: str, shown: str, doc: str, **facts: object) -> Setting:
    return entry(f"chat.{name}", doc, setter=f"chat/{setter}", shown=shown, **facts)


CHAT: tuple[Setting, ...] = (
    _chat("disabled", "disable", "chatDisabled", "Turn chat off", body=b.Flag()),
    _chat(
        "join_messages_enabled",
        "joinmessagesenabled",
        "chatJoinMessagesEnabled",
        "Announce users joining chat",
        body=b.Flag(),
    ),
    _chat(
        "established_user_mode",
        "establishedusermode",
        "chatEstablishedUserMode",
        "Only established users may chat",
        body=b.Flag(),
    ),
    _chat(
        "spam_protection_enabled",
        "spamprotectionenabled",
        "chatSpamProtectionEnabled",
        "Rate-limit chat messages",
        body=b.Flag(),
    ),
    _chat(
        "slur_filter_enabled",
        "slurfilterenabled",
        "chatSlurFilterEnabled",
        "Hide messages containing slurs",
        body=b.Flag(),
    ),
    _chat(
        "require_authentication",
        "requireauthentication",
        "chatRequireAuthentication",
        "Require an external login to chat: anyone else reads but cannot post, rename or "
        "recolour (viewers log in with IndieAuth or a Fediverse code; moderators always chat)",
        body=b.Flag(),
    ),
    _chat(
        "forbidden_usernames",
        "forbiddenusernames",
        "forbiddenUsernames",
        "Display names nobody may take",
        body=b.Strings(64),
    ),
    _chat(
        "suggested_usernames",
        "suggestedusernames",
        "suggestedUsernames",
        "Pool of random display names for new users",
        body=b.Strings(64),
    ),
)
