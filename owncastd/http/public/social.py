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


def social_icon(platform: str) -> str:
    """The built-in icon URL of a known platform (its lower-case key), else ""."""
    return PLATFORMS.get(platform.lower(), "")


# How Owncast names each platform in `/api/socialplatforms` (models/socialHandle.go).
PLATFORM_NAMES: dict[str, str] = {
    "bandcamp": "Bandcamp", "discord": "Discord", "facebook": "Facebook", "github": "GitHub",
    "instagram": "Instagram", "keyoxide": "Keyoxide", "kofi": "Ko-Fi", "lbry": "LBRY",
    "linkedin": "LinkedIn", "mastodon": "Mastodon", "matrix": "Matrix", "odysee": "Odysee",
    "patreon": "Patreon", "paypal": "PayPal", "reddit": "Reddit", "snapchat": "Snapchat",
    "soundcloud": "SoundCloud", "spotify": "Spotify", "steam": "Steam", "tiktok": "TikTok",
    "twitch": "Twitch", "twitter": "Twitter", "xmpp": "XMPP", "youtube": "YouTube",
    "donate": "Donations", "email": "Email", "follow": "Follow",
}  # fmt: skip


def social_platforms() -> dict[str, dict[str, str]]:
    """`/api/socialplatforms`: every known platform as `{key: {platform, icon}}`."""
    return {
        key: {"platform": PLATFORM_NAMES.get(key, key), "icon": icon}
        for key, icon in PLATFORMS.items()
    }
