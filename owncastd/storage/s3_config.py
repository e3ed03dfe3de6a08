"""The `[s3]` settings turned into what the S3 client and the URLs need."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from owncastd.config.settings import S3Settings


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
