"""Admin password hashing and first-run secret generation.

Owncast stores the admin password as a bcrypt hash (Go's DefaultCost, 10); we do the same so an
Owncast hash keeps working. bcrypt refuses passwords longer than 72 bytes, so those are a
configuration problem rather than a silent truncation.
"""

from __future__ import annotations

import secrets

import bcrypt

BCRYPT_ROUNDS = 10  # Owncast's cost; ~90 ms per check on the reference machine
MAX_PASSWORD_BYTES = 72
GENERATED_COMMENT = "Generated on first start"


def password_problem(plain: str) -> str | None:
    """Why `plain` cannot be an admin password, or None."""
    if not plain:
        return "must not be empty"
    if len(plain.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"must be at most {MAX_PASSWORD_BYTES} bytes (a bcrypt limit)"
    return None


def hash_password(plain: str) -> str:
    """The bcrypt hash (``$2b$10$…``) of `plain`. Raises ValueError for an unusable password."""
    if problem := password_problem(plain):
        raise ValueError(f"admin password {problem}")
    salt = bcrypt.gensalt(rounds=BCRYPT_ROUNDS)
    return bcrypt.hashpw(plain.encode("utf-8"), salt).decode("ascii")


def verify_password(plain: str, password_hash: str) -> bool:
    """True when `plain` matches `password_hash`; constant time (bcrypt.checkpw).

    An empty or malformed hash, or a password bcrypt cannot take, never matches.
    """
    if not password_hash or password_problem(plain):
        return False
    try:
        return bcrypt.checkpw(plain.encode("utf-8"), password_hash.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


def generate_password() -> str:
    """A strong random admin password (24 URL-safe characters)."""
    return secrets.token_urlsafe(18)


def generate_stream_key() -> str:
    """A strong random stream key (32 URL-safe characters, no whitespace)."""
    return secrets.token_urlsafe(24)
