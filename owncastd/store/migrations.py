"""Numbered schema migrations: each entry is a list of statements applied in one transaction.

Never edit a released migration; append a new one. The database's `PRAGMA user_version` is the
number of migrations applied.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: key/value settings and stats that are not in owncast.toml (Owncast's `datastore`).
    [
        """CREATE TABLE datastore (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )""",
    ],
]
