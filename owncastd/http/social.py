"""Known social platforms and their icons (`/api/socialplatforms`, `socialHandles[].icon`)."""

from __future__ import annotations

PLATFORMS: dict[str, str] = {
    name: f"/img/platformlogos/{name}.svg"
    for name in (
        "bandcamp", "discord", "facebook", "github", "instagram", "keyoxide", "kofi", "lbry",
        "linkedin", "mastodon", "matrix", "odysee", "patreon", "paypal", "reddit", "snapchat",
        "soundcloud", "spotify", "steam", "tiktok", "twitch", "twitter", "xmpp", "youtube",
        "donate", "email", "follow",
    )
}  # fmt: skip
DEFAULT_ICON = "/img/platformlogos/default.svg"


def social_icon(platform: str) -> str:
    """The icon URL for a platform name (a generic one for unknown platforms)."""
    return PLATFORMS.get(platform.lower(), DEFAULT_ICON)
