"""Settings table: what viewers see ([server]), the admin, and the listeners ([web], [rtmp])."""

from __future__ import annotations

from owncastd.config import bodies as b
from owncastd.config import checks as c
from owncastd.config.setting import CODE, MARKDOWN, NEXT, RESTART, Setting, entry
from owncastd.config.settings import AUTOPLAY_MODES

_REQUIRED_URL = c.http_url(required=True)
# Owncast trims these two (admin/config.go, develop §5.6): a converter in setter_custom does.
TRIMMED_MARKDOWN = b.Custom("markdown")

SERVER: tuple[Setting, ...] = (
    entry(
        "server.name",
        "Instance name shown on the page, in chat and in the directory",
        check=c.max_len(255),
        setter="name",
        body=b.Text(255),
        shown="instanceDetails.name",
    ),
    entry(
        "server.summary",
        "One-paragraph description shown under the name",
        setter="serversummary",
        body=MARKDOWN,
        shown="instanceDetails.summary",
    ),
    entry(
        "server.stream_title",
        "Title of the current stream",
        check=c.max_len(255),
        setter="streamtitle",
        body=b.Text(255),
        shown="instanceDetails.streamTitle",
    ),
    entry(
        "server.extra_page_content",
        'Markdown "about" content shown below the video',
        setter="pagecontent",
        body=MARKDOWN,
        shown="instanceDetails.extraPageContent",
    ),
    entry(
        "server.welcome_message",
        "Markdown message a chat user sees on joining",
        setter="welcomemessage",
        body=TRIMMED_MARKDOWN,
        shown="instanceDetails.welcomeMessage",
    ),
    entry(
        "server.offline_message",
        "Markdown shown instead of the video while offline",
        setter="offlinemessage",
        body=TRIMMED_MARKDOWN,
        shown="instanceDetails.offlineMessage",
    ),
    entry(
        "server.logo",
        "Logo file name inside the data directory",
        setter="logo",
        body=b.Custom("image"),
        shown="instanceDetails.logo",
    ),
    entry(
        "server.tags",
        "Tags describing the stream",
        setter="tags",
        body=b.Custom("list"),
        shown="instanceDetails.tags",
    ),
    entry(
        "server.nsfw",
        "The content is not safe for work",
        setter="nsfw",
        body=b.Flag(),
        shown="instanceDetails.nsfw",
    ),
    entry(
        "server.hide_viewer_count",
        "Hide the viewer count on the page",
        setter="hideviewercount",
        body=b.Flag(),
        shown="hideViewerCount",
    ),
    entry(
        "server.disable_search_indexing",
        "Ask search engines not to index the page",
        setter="disablesearchindexing",
        body=b.Flag(),
        shown="disableSearchIndexing",
    ),
    entry(
        "server.url",
        "Public http(s) URL of this server",
        check=c.http_url(),
        setter="serverurl",
        body=b.Custom("url"),
        shown="yp.instanceUrl",
    ),
    entry(
        "server.social_handles",
        "Links to the streamer elsewhere",
        setter="socialhandles",
        body=b.Custom("social handles"),
        shown="instanceDetails.socialHandles",
    ),
    entry(
        "server.social_handles.platform",
        "Platform name (picks the icon)",
        check=c.all_of(c.non_empty, c.max_len(64)),
    ),
    entry("server.social_handles.url", "http(s) link to the profile", check=_REQUIRED_URL),
    entry(
        "server.social_handles.icon",
        "Icon URL or /path for a platform without a built-in icon",
        check=c.all_of(c.max_len(2048), c.icon_ref),
    ),
    entry(
        "server.external_actions",
        "Buttons on the viewer page that open a URL",
        setter="externalactions",
        body=b.Custom("external actions"),
        shown="externalActions",
    ),
    entry(
        "server.external_actions.url",
        "http(s) URL the button opens",
        check=_REQUIRED_URL,
    ),
    entry(
        "server.external_actions.title", "Button title", check=c.all_of(c.non_empty, c.max_len(255))
    ),
    entry("server.external_actions.description", "Button description"),
    entry("server.external_actions.icon", "Image URL of the button icon"),
    entry("server.external_actions.color", "CSS colour of the button"),
    entry("server.external_actions.open_externally", "Open in a new tab instead of a modal"),
    entry(
        "server.custom_styles",
        "Custom CSS added to the viewer page",
        setter="customstyles",
        body=CODE,
        shown="instanceDetails.customStyles",
    ),
    entry(
        "server.custom_javascript",
        "Custom JavaScript added to the viewer page",
        setter="customjavascript",
        body=CODE,
        shown="instanceDetails.customJavascript",
    ),
    entry(
        "server.appearance_variables",
        "Theme colours: CSS variable name = value",
        setter="appearance",
        body=b.Custom("string map"),
        shown="instanceDetails.appearanceVariables",
    ),
    entry(
        "server.autoplay",
        "Start the video by itself: off, always or sound-only",
        check=c.autoplay,
        setter="autoplay",
        body=b.Custom("autoplay", AUTOPLAY_MODES),
        shown="instanceDetails.autoplay",
    ),
)
LISTENERS: tuple[Setting, ...] = (
    entry(
        "admin.password_hash",
        "bcrypt hash of the admin password",
        check=c.bcrypt_hash,
        setter="adminpass",
        body=b.Custom("password"),
        shown="adminPassword",
        secret=True,
    ),
    entry(
        "web.ip",
        "IP address the HTTP listener binds",
        check=c.ip_address,
        setter="webserverip",
        body=b.Ip(),
        shown="webServerIP",
        applies=RESTART,
    ),
    entry(
        "web.port",
        "TCP port of the HTTP listener",
        check=c.int_range(0, 65535),
        setter="webserverport",
        body=b.Int(1, 65535),
        shown="webServerPort",
        applies=RESTART,
    ),
    entry(
        "web.socket_host_override",
        "URL the browser uses for the chat websocket",
        check=c.url(("ws", "wss", "http", "https")),
        setter="sockethostoverride",
        body=b.Url(("ws", "wss", "http", "https")),
        shown="socketHostOverride",
    ),
    entry(
        "web.video_serving_endpoint",
        "http(s) URL prefix viewers fetch HLS from",
        check=c.http_url(),
        setter="videoservingendpoint",
        body=b.Url(),
        shown="videoServingEndpoint",
    ),
    entry(
        "web.trusted_proxies",
        "Reverse proxies whose X-Forwarded-For is believed",
        check=c.ip_network,
    ),
    entry(
        "rtmp.ip",
        "IP address the RTMP listener binds",
        check=c.ip_address,
        setter="rtmpserverbindaddress",
        body=b.Ip(),
        shown="rtmpServerBindAddress",
        applies=RESTART,
    ),
    entry(
        "rtmp.port",
        "TCP port of the RTMP listener",
        check=c.int_range(0, 65535),
        setter="rtmpserverport",
        body=b.Int(1, 65535),
        shown="rtmpServerPort",
        applies=RESTART,
    ),
    entry(
        "rtmp.stream_keys",
        "Keys accepted from publishers",
        check=c.distinct_keys,
        setter="streamkeys",
        body=b.Custom("stream keys"),
        shown="streamKeys",
        applies=NEXT,
        secret=True,
    ),
    entry("rtmp.stream_keys.key", "A stream key", check=c.stream_key, secret=True),
    entry("rtmp.stream_keys.comment", "A note for the admin", check=c.max_len(255)),
)
