"""Value checks for the `[s3]` keys (each returns a problem message or None; empty is allowed:
`check_cross` says which keys S3 needs once it is enabled). A bucket name is not checked here:
S3-compatible servers differ, and the round trip before S3 is enabled tells."""

from __future__ import annotations

CANNED_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)


def canned_acl(value: str) -> str | None:
    """One of S3's canned ACLs (or empty: the bucket's default)."""
    if not value or value in CANNED_ACLS:
        return None
    return f"must be one of {', '.join(CANNED_ACLS)} or empty (got {value[:40]!r})"


def path_prefix(value: str) -> str | None:
    """A key prefix without `..` parts or control characters."""
    if ".." in value.split("/") or any(ord(ch) < 32 for ch in value):
        return "must not contain '..' parts or control characters"
    return None
