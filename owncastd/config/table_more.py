"""Settings table: storage, directory, federation, notifications, paths and logging."""

from __future__ import annotations

from owncastd.config import bodies as b
from owncastd.config import checks as c
from owncastd.config import checks_s3
from owncastd.config.setting import (
    NEXT,
    RESTART,
    Setting,
    entry,
)


def _object(path: str, doc: str, setter: str, field: str, body: b.Body, **facts: object) -> Setting:
    shown = setter.replace("/", ".") + "." + field
    return entry(path, doc, setter=setter, field=field, body=body, shown=shown, **facts)


def _s3(name: str, field: str, doc: str, body: b.Body, **facts: object) -> Setting:
    return _object(f"s3.{name}", doc, "s3", field, body, applies=NEXT, **facts)


def _fed(name: str, setter: str, shown: str, doc: str, body: b.Body, **facts: object) -> Setting:
    return entry(
        f"federation.{name}",
        doc,
        setter=f"federation/{setter}",
        body=body,
        shown=f"federation.{shown}",
        **facts,
    )


ELSEWHERE: tuple[Setting, ...] = (
    _s3("enabled", "enabled", "Upload segments to S3", b.Flag()),
    _s3("endpoint", "endpoint", "http(s) URL of the S3 API", b.Url(), check=c.http_url()),
    _s3(
        "serving_endpoint",
        "servingEndpoint",
        "http(s) URL viewers fetch segments from",
        b.Url(),
        check=c.http_url(),
    ),
    _s3("access_key", "accessKey", "Access key id", b.Text(1024)),
    _s3("secret", "secret", "Secret access key", b.Text(1024), secret=True),
    _s3("bucket", "bucket", "Bucket name", b.Text(255)),
    _s3("region", "region", "Region", b.Text(255)),
    _s3("acl", "acl", "Canned ACL for uploaded objects", b.Text(64)),
    _s3("force_path_style", "forcePathStyle", "Path-style URLs", b.Flag()),
    _s3(
        "path_prefix",
        "pathPrefix",
        "Key prefix inside the bucket",
        b.Text(255),
        check=checks_s3.path_prefix,
    ),
    entry(
        "directory.enabled",
        "List this server in the Owncast directory",
        setter="directoryenabled",
        body=b.Flag(),
        shown="yp.enabled",
    ),
    entry(
        "directory.service_url",
        "Directory service pinged while live (Owncast's: https://directory.owncast.online)",
        check=c.http_url(required=True),
    ),
    _fed("enabled", "enable", "enabled", "Make the server a fediverse account", b.Flag()),
    _fed("private", "private", "isPrivate", "Approve followers by hand", b.Flag()),
    _fed(
        "username",
        "username",
        "username",
        "Fediverse account name",
        b.Custom("account name"),
        check=c.account_name,
    ),
    _fed(
        "go_live_message",
        "livemessage",
        "goLiveMessage",
        "Post sent when the stream starts",
        b.Text(500, multiline=True),
    ),
    _fed(
        "show_engagement",
        "showengagement",
        "showEngagement",
        "Show likes, boosts and follows in chat",
        b.Flag(),
    ),
    _fed(
        "blocked_domains",
        "blockdomains",
        "blockedDomains",
        "Domains that may not follow or interact",
        b.Custom("list"),
    ),
    _fed(
        "hide_followers",
        "hidefollowers",
        "hideFollowers",
        "Hide the followers tab from viewers",
        b.Flag(),
    ),
    _fed(
        "enable_quotes",
        "enablequotes",
        "enableQuotes",
        "Let the fediverse quote the server's posts",
        b.Flag(),
    ),
    entry(
        "federation.allow_private_addresses",
        "Federate with loopback/private addresses and plain http (tests, private networks)",
    ),
    _object(
        "notifications.discord.enabled",
        "Post to Discord when the stream starts",
        "notifications/discord",
        "enabled",
        b.Flag(),
    ),
    _object(
        "notifications.discord.webhook",
        "Discord webhook URL",
        "notifications/discord",
        "webhook",
        b.Url(),
        check=c.http_url(secret=True),
        secret=True,
    ),
    _object(
        "notifications.discord.go_live_message",
        "Text posted when the stream starts",
        "notifications/discord",
        "goLiveMessage",
        b.Text(2000, multiline=True),
    ),
    _object(
        "notifications.browser.enabled",
        "Push to subscribed browsers on go-live",
        "notifications/browser",
        "enabled",
        b.Flag(),
    ),
    _object(
        "notifications.browser.go_live_message",
        "Text of the push notification",
        "notifications/browser",
        "goLiveMessage",
        b.Text(2000, multiline=True),
    ),
    entry(
        "notifications.browser.allow_private_endpoints",
        "Allow push endpoints on local/private addresses or plain http (tests only)",
    ),
    entry("paths.database", "SQLite database file", applies=RESTART),
    entry("paths.log_dir", "Log directory", applies=RESTART),
    entry("paths.backup_dir", "Backup directory", applies=RESTART),
    entry("logging.verbose", "Debug logging plus HTTP request logs", applies=RESTART),
)
