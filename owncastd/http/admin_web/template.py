"""The admin page shell: one server-rendered HTML page per URL of the page map.

No inline script or style (the admin CSP forbids them): behaviour lives in the ES modules
under `/admin/assets/`, looks in `/admin/assets/admin.css` (both behind the admin auth).
Every dynamic string is escaped.
"""

from __future__ import annotations

from html import escape

from owncastd.http.admin_web.page_map import PAGES, AdminPage

ASSETS = "/admin/assets"  # behind the admin's Basic auth, like the pages
CONFIG_KEYS = {  # config pages: the settings-table keys they show, by dotted prefix
    "general": (
        "server.name", "server.stream_title", "server.summary", "server.tags",
        "server.extra_page_content", "server.welcome_message", "server.offline_message",
        "server.logo", "server.social_handles", "server.nsfw", "server.autoplay",
        "server.hide_viewer_count", "server.disable_search_indexing", "directory.",
    ),
    "server": ("server.url", "admin.", "web.", "rtmp.", "video.ffmpeg_path", "s3.", "paths.",
               "logging."),
    "video": ("video.codec", "video.latency_level", "video.variants"),
    "chat": ("chat.",),
    "notify": ("notifications.",),
    "actions": ("server.external_actions",),
    "appearance": ("server.appearance_variables", "server.custom_styles",
                   "server.custom_javascript"),
}  # fmt: skip


# Modules a page's script imports besides admin-api.js: preloaded with the page, so the
# browser fetches them at once instead of after parsing the script.
IMPORTS = {
    "overview": ("chart.js",),
    "config": ("config-tables.js",),
    "hardware-info": ("chart.js",),
    "viewer-info": ("chart.js",),
    "stream-health": ("chart.js",),
    # The viewer's chat modules (/static/…), preloaded so the socket opens without a waterfall.
    "chat-messages": (
        "/static/chat-api.js",
        "/static/api.js",
        "/static/chat-protocol.js",
        "/static/chat-socket.js",
    ),
}


def _href(page: AdminPage) -> str:
    return f"/admin/{page.path}"


def sidebar(current: AdminPage) -> str:
    """The navigation: the sidebar pages grouped as in Owncast's admin."""
    groups: dict[str, list[str]] = {}
    for page in PAGES:
        if not page.sidebar:
            continue
        here = ' aria-current="page"' if page is current else ""
        mark = "" if page.status == "ready" else ' <span class="tag">soon</span>'
        if page.status == "missing":
            mark = ' <span class="tag">missing</span>'
        link = f'<li><a href="{_href(page)}"{here}>{escape(page.title)}{mark}</a></li>'
        groups.setdefault(page.group, []).append(link)
    parts = [
        f'<li><span class="group">{escape(group)}</span><ul>{"".join(links)}</ul></li>'
        for group, links in groups.items()
    ]
    return f'<nav id="sidebar" aria-label="Admin pages"><ul>{"".join(parts)}</ul></nav>'


def _ctl(page: AdminPage) -> str:
    if not page.ctl:
        return ""
    return (
        f"<p>From a terminal today: <code>{escape(page.ctl)}</code> "
        f"(see <code>owncastctl --help</code>).</p>"
    )


def _content(page: AdminPage) -> str:
    if page.status == "missing":
        return (
            f'<section class="notice missing" aria-labelledby="notice-h">'
            f'<h2 id="notice-h">Not available in owncastd</h2><p>{escape(page.about)}</p>'
            f"<p>The setting and routes exist for compatibility with Owncast, but the feature "
            f"is not built yet.</p></section>"
        )
    if page.status == "planned":
        return (
            f'<section class="notice planned" aria-labelledby="notice-h">'
            f'<h2 id="notice-h">This page is not built yet</h2>'
            f"<p>It will show: {escape(page.about)}</p>{_ctl(page)}</section>"
        )
    if not page.script:
        return f"<p>{escape(page.about)}</p>{_ctl(page)}{HELP if page.path == 'help/' else ''}"
    config = ""
    if page.config:
        config = f' data-config-keys="{escape(" ".join(CONFIG_KEYS[page.config]))}"'
    return (
        f'<p class="about">{escape(page.about)}</p>'
        f'<div id="app"{config}><p class="loading">Loading…</p></div>'
        f"<noscript><p>This page needs JavaScript; <code>{escape(page.ctl)}</code> "
        f"does the same from a terminal.</p></noscript>"
    )


HELP = (
    '<ul><li><a href="https://owncast.online/docs/" rel="noreferrer">Owncast\'s '
    "documentation</a> (owncastd follows its API and settings)</li>"
    "<li><code>owncastctl tui</code>: the terminal admin, with the same powers as this one</li>"
    "<li><code>owncastctl config</code>: every setting, with its doc and when it applies</li>"
    "<li><code>curl /api/admin/config/keys</code>: the settings table as JSON</li></ul>"
)


def render(page: AdminPage) -> str:
    """The whole HTML document of `page`."""
    title = escape(page.title)
    scripts = f'<script type="module" src="{ASSETS}/shell.js"></script>'
    if page.status == "ready" and page.script:
        for module in ("admin-api.js", *IMPORTS.get(page.script, ())):
            href = module if module.startswith("/") else f"{ASSETS}/{module}"
            scripts += f'<link rel="modulepreload" href="{href}">'
        scripts += f'<script type="module" src="{ASSETS}/{page.script}.js"></script>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{title} · owncastd admin</title>"
        f'<link rel="stylesheet" href="{ASSETS}/admin.css">{scripts}</head>'
        f'<body data-admin-page="{escape(page.path or "overview")}">'
        '<a class="skip" href="#main">Skip to content</a>'
        '<header class="top"><button type="button" id="nav-toggle" aria-controls="sidebar" '
        'aria-expanded="false">Menu</button><a class="brand" href="/admin/">owncastd admin</a>'
        '<a class="viewer-link" href="/">Viewer page</a>'
        '<button type="button" id="theme-toggle" aria-pressed="false">Dark theme</button>'
        f'</header><div class="layout">{sidebar(page)}'
        f'<main id="main" tabindex="-1"><h1>{title}</h1>{_content(page)}</main></div>'
        "</body></html>"
    )
