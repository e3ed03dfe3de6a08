"""Owncast's admin page map (develop §6.2): every URL, its sidebar label and what it does here,
plus owncastd's own pages (`OURS`, e.g. backups), which Owncast's admin does not have.

`status` says how far a page is built: "ready" pages do the job with their own ES module
(`/admin/assets/<script>.js`); "planned" pages describe what they will do and name the
`owncastctl` command that does it today; "missing" pages belong to features owncastd does not
have yet and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ready", "planned", "missing"]


@dataclass(frozen=True)
class AdminPage:
    """One page of the web admin."""

    path: str  # below /admin/, with Owncast's trailing slash ("" is the overview)
    title: str
    group: str  # sidebar group
    status: Status
    about: str  # what the admin does there (one sentence)
    ctl: str = ""  # the owncastctl command that does it today
    script: str = ""  # the page's ES module under /admin/assets/ (ready pages)
    config: str = ""  # config pages: which keys of the settings table they show
    sidebar: bool = True


def _page(
    path: str,
    title: str,
    group: str,
    status: Status,
    about: str,
    *,
    ctl: str = "",
    script: str = "",
    config: str = "",
    sidebar: bool = True,
) -> AdminPage:
    return AdminPage(path, title, group, status, about, ctl, script, config, sidebar)


PAGES: tuple[AdminPage, ...] = (
    _page(
        "",
        "Overview",
        "Home",
        "ready",
        "Live or offline, viewers, encoder details and health.",
        ctl="owncastctl status",
        script="overview",
    ),
    _page(
        "viewer-info/",
        "Viewers",
        "Home",
        "ready",
        "A viewer-count chart, the current viewers and their playback clients.",
        ctl="owncastctl viewers",
        script="viewer-info",
    ),
    _page(
        "chat/messages/",
        "Chat messages",
        "Chat",
        "ready",
        "Every chat message, hidden ones included: hide and show them, one or many at once.",
        ctl="owncastctl chat tail",
        script="chat-messages",
    ),
    _page(
        "chat/users/",
        "Chat users",
        "Chat",
        "ready",
        "Connected users, moderators, banned users and banned IP addresses.",
        ctl="owncastctl users",
        script="chat-users",
    ),
    _page(
        "chat/emojis/",
        "Emoji",
        "Chat",
        "ready",
        "Upload and delete custom chat emoji.",
        ctl="owncastctl emoji",
        script="emojis",
    ),
    _page(
        "users/",
        "All users",
        "Chat",
        "ready",
        "Every chat user: search, sort, ban, make moderator.",
        ctl="owncastctl users",
        script="users",
        sidebar=False,
    ),
    _page(
        "config/general/",
        "General",
        "Configuration",
        "ready",
        "Name, summary, logo, tags, page content, social links, offline and welcome text.",
        ctl="owncastctl config",
        script="config",
        config="general",
    ),
    _page(
        "config/server/",
        "Server setup",
        "Configuration",
        "ready",
        "Server URL, listeners, stream keys, storage and ffmpeg.",
        ctl="owncastctl config",
        script="config",
        config="server",
    ),
    _page(
        "config-video/",
        "Video",
        "Configuration",
        "ready",
        "Latency level, output variants, codec and encoder.",
        ctl="owncastctl config",
        script="config",
        config="video",
    ),
    _page(
        "config-chat/",
        "Chat",
        "Configuration",
        "ready",
        "Chat on or off, join messages, names, established-user mode, spam and slur filters.",
        ctl="owncastctl config",
        script="config",
        config="chat",
    ),
    _page(
        "config-federation/",
        "Social",
        "Configuration",
        "planned",
        "Fediverse settings: on/off, private mode, the account name, the go-live post, "
        "engagement in chat and blocked domains.",
        ctl="owncastctl config set federation.enabled true",
    ),
    _page(
        "config-featured/",
        "Featured",
        "Configuration",
        "missing",
        "Featured streams from other servers: not built in owncastd yet.",
    ),
    _page(
        "config-notify/",
        "Notifications",
        "Configuration",
        "ready",
        "Discord go-live settings; browser push is not built yet (shown as such).",
        ctl="owncastctl config",
        script="config",
        config="notify",
    ),
    _page(
        "config/appearance/",
        "Appearance",
        "Configuration",
        "ready",
        "Colour variables and custom CSS.",
        ctl="owncastctl config",
        script="config",
        config="appearance",
        sidebar=False,
    ),
    _page(
        "hardware-info/",
        "Hardware",
        "Health",
        "ready",
        "CPU, memory and disk charts.",
        ctl="owncastctl stats",
        script="hardware-info",
    ),
    _page(
        "stream-health/",
        "Stream health",
        "Health",
        "ready",
        "Playback metrics: latency, bitrate and errors seen by viewers.",
        ctl="owncastctl stats",
        script="stream-health",
    ),
    _page(
        "logs/",
        "Logs",
        "Health",
        "ready",
        "The daemon's log, followed live.",
        ctl="owncastctl logs --follow",
        script="logs",
    ),
    _page(
        "federation/followers/",
        "Followers",
        "Social",
        "planned",
        "Fediverse followers, follow requests to approve and blocked accounts.",
        ctl="owncastctl followers list",
    ),
    _page(
        "federation/actions/",
        "Social actions",
        "Social",
        "planned",
        "Inbound follows, likes and boosts.",
        ctl="owncastctl tui (press f)",
    ),
    _page(
        "webhooks/",
        "Webhooks",
        "Integrations",
        "ready",
        "Create, test and delete webhooks.",
        ctl="owncastctl webhooks",
        script="webhooks",
    ),
    _page(
        "access-tokens/",
        "Access tokens",
        "Integrations",
        "ready",
        "Create and delete tokens for bots and integrations.",
        ctl="owncastctl tokens",
        script="access-tokens",
    ),
    _page(
        "actions/",
        "External actions",
        "Integrations",
        "ready",
        "Buttons on the viewer page that open other sites (or show them in a panel).",
        ctl="owncastctl config set server.external_actions",
        script="config",
        config="actions",
    ),
    _page(
        "plugins/",
        "Plugins",
        "Integrations",
        "missing",
        "Plugins: owncastd has no plugin system yet.",
    ),
    _page(
        "plugins/configure/",
        "Plugin settings",
        "Integrations",
        "missing",
        "A plugin's own settings page: owncastd has no plugin system yet.",
        sidebar=False,
    ),
    _page(
        "schedule/",
        "Schedule",
        "Integrations",
        "ready",
        "One-off and recurring scheduled streams.",
        ctl="owncastctl schedule",
        script="schedule",
        sidebar=False,
    ),
    _page(
        "backups/",
        "Backups",
        "Help",
        "ready",
        "owncastd's own page (Owncast's admin has none): the backup archives of the database,"
        " configuration and uploads, automatic and manual; make one and download it.",
        ctl="owncastd backup",
        script="backups",
    ),
    _page(
        "upgrade/",
        "Upgrade",
        "Help",
        "ready",
        "owncastd does not upgrade itself (Owncast's in-place update is not offered): install"
        " the new version, then restart the daemon; the data directory carries over.",
        ctl="pip install --upgrade owncastd && systemctl restart owncastd",
        sidebar=False,
    ),
    _page(
        "help/",
        "Help",
        "Help",
        "ready",
        "Where to read more and what the terminal admin can do.",
        ctl="owncastctl --help",
    ),
)

BY_PATH: dict[str, AdminPage] = {page.path: page for page in PAGES}
OURS: frozenset[str] = frozenset({"backups/"})  # pages that are owncastd's, not Owncast's
