"""Access tokens at rest: only a SHA-256 digest of each token is stored.

Integration (bearer) and chat-user tokens are 32 random bytes, presented by their holders and
never needed back in clear by the daemon, so `user_access_tokens.token` holds
`sha256:<64 hex digits>` and a lookup compares digests. A copy of the database (a backup, a
stolen disk) then authenticates nobody. The digest is also what
`GET /api/admin/accesstokens` lists: it names a token (for deletion) without being one.
SQLite has no SHA-256, so migration 4 calls the same digest as a registered SQL function.
"""

from __future__ import annotations

import hashlib
import sqlite3

PREFIX = "sha256:"
SQL_FUNCTION = "owncast_token_digest"


def token_digest(token: str) -> str:
    """`sha256:<hex>` of the token's UTF-8 bytes: the form the database keeps."""
    return PREFIX + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_digest(value: str) -> bool:
    """True when `value` looks like a stored digest (not a token)."""
    hex_part = value[len(PREFIX) :]
    return (
        value.startswith(PREFIX)
        and len(hex_part) == 64
        and all(c in "0123456789abcdef" for c in hex_part)
    )


def _sql_digest(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    if not isinstance(value, str) or is_digest(value):
        return value  # already hashed (or not text): leave it
    return token_digest(value)


def register_digest_function(conn: sqlite3.Connection) -> None:
    """Make `owncast_token_digest(token)` available to SQL on `conn` (for migrations)."""
    conn.create_function(SQL_FUNCTION, 1, _sql_digest, deterministic=True)
