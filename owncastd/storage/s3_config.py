"""The `[s3]` settings checked and turned into what the S3 client and the URLs need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from owncastd.config.settings import S3Settings

# S3's bucket naming rules (3–63 characters, lower case, digits, dots and hyphens).
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
CANNED_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)


@dataclass(frozen=True)
class S3Config:
    """Everything an :class:`~owncastd.storage.s3.S3Storage` needs. `repr` hides the secret."""

    endpoint: str
    bucket: str
    region: str
    access_key: str
    secret: str
    acl: str = ""
    path_prefix: str = ""
    force_path_style: bool = False
    serving_endpoint: str = ""

    def __repr__(self) -> str:
        return f"S3Config(endpoint={self.endpoint!r}, bucket={self.bucket!r}, secret=<hidden>)"

    @classmethod
    def from_settings(cls, s3: S3Settings, video_serving_endpoint: str = "") -> S3Config:
        """From `[s3]`; `video_serving_endpoint` (`[web]`) serves when `[s3]` names none."""
        return cls(
            endpoint=s3.endpoint,
            bucket=s3.bucket,
            region=s3.region,
            access_key=s3.access_key,
            secret=s3.secret,
            acl=s3.acl,
            path_prefix=s3.path_prefix,
            force_path_style=s3.force_path_style,
            serving_endpoint=s3.serving_endpoint or video_serving_endpoint,
        )

    def key(self, key: str) -> str:
        """The object key in the bucket: the path prefix, then `key`."""
        prefix = self.path_prefix.strip("/")
        return f"{prefix}/{key}" if prefix else key

    def url(self, key: str) -> str:
        """Where viewers fetch `key`: the serving endpoint if set, else the bucket's own URL
        (path style when forced, virtual-host style otherwise)."""
        full = self.key(key)
        if self.serving_endpoint:
            return f"{self.serving_endpoint.rstrip('/')}/{full}"
        endpoint = self.endpoint.rstrip("/")
        parts = urlsplit(endpoint)
        if self.force_path_style or not parts.hostname:
            return f"{endpoint}/{self.bucket}/{full}"
        return f"{parts.scheme}://{self.bucket}.{parts.netloc}{parts.path.rstrip('/')}/{full}"


def s3_problems(s3: S3Settings) -> list[str]:
    """Every reason `[s3]` cannot be used (enabled or not: the admin sees all at once)."""
    problems: list[str] = []
    for field in ("endpoint", "access_key", "secret", "bucket", "region"):
        if not getattr(s3, field):
            problems.append(f"s3.{field}: required when S3 is enabled")
    if s3.endpoint and urlsplit(s3.endpoint).scheme not in ("http", "https"):
        problems.append("s3.endpoint: must be an http(s) URL")
    if s3.bucket and not BUCKET_NAME.match(s3.bucket):
        problems.append(
            f"s3.bucket: {s3.bucket!r} is not a valid bucket name "
            "(3-63 lower-case letters, digits, dots and hyphens)"
        )
    if s3.acl and s3.acl not in CANNED_ACLS:
        problems.append(f"s3.acl: must be one of {', '.join(CANNED_ACLS)} (or empty)")
    if ".." in s3.path_prefix.split("/"):
        problems.append("s3.path_prefix: must not contain '..'")
    return problems
