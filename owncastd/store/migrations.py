"""Numbered schema migrations: each entry is a list of statements applied in one transaction.

Never edit a released migration; append a new one. The database's `PRAGMA user_version` is the
number of migrations applied.
"""

from __future__ import annotations

from owncastd.store.token_hash import SQL_FUNCTION

MIGRATIONS: list[list[str]] = [
    # 1: key/value settings and stats that are not in owncast.toml (Owncast's `datastore`).
    [
        """CREATE TABLE datastore (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        )""",
    ],
    # 2: chat users (people and integration bots), their tokens and linked identities, chat
    # history and IP bans: Owncast's schema (reference §7) with timestamps as ISO-8601 UTC text.
    [
        """CREATE TABLE users (
            id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            display_color INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            disabled_at TEXT,
            previous_names TEXT NOT NULL DEFAULT '',
            namechanged_at TEXT,
            authenticated_at TEXT,
            scopes TEXT NOT NULL DEFAULT '',
            type TEXT NOT NULL DEFAULT 'STANDARD',
            last_used TEXT
        )""",
        "CREATE INDEX users_disabled ON users (disabled_at)",
        "CREATE INDEX users_type ON users (type)",
        "CREATE INDEX users_display_name ON users (display_name)",
        """CREATE TABLE user_access_tokens (
            token TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            timestamp TEXT NOT NULL
        )""",
        "CREATE INDEX user_access_tokens_user ON user_access_tokens (user_id)",
        """CREATE TABLE auth (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            token TEXT NOT NULL,
            type TEXT NOT NULL,
            timestamp TEXT NOT NULL
        )""",
        "CREATE INDEX auth_token ON auth (token, type)",
        """CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            user_id TEXT,
            body TEXT NOT NULL DEFAULT '',
            eventType TEXT NOT NULL,
            hidden_at TEXT,
            timestamp TEXT NOT NULL,
            title TEXT,
            subtitle TEXT,
            image TEXT,
            link TEXT
        )""",
        "CREATE INDEX messages_timestamp ON messages (timestamp)",
        "CREATE INDEX messages_user ON messages (user_id)",
        "CREATE INDEX messages_hidden ON messages (hidden_at)",
        """CREATE TABLE ip_bans (
            ip_address TEXT PRIMARY KEY,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
    ],
    # 3: the control plane: outgoing webhooks, notification subscribers, viewer counts over time.
    [
        """CREATE TABLE webhooks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            secret TEXT NOT NULL DEFAULT '',
            timestamp TEXT NOT NULL,
            last_used TEXT
        )""",
        """CREATE TABLE notifications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            channel TEXT NOT NULL,
            destination TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE viewer_samples (
            timestamp TEXT PRIMARY KEY,
            count INTEGER NOT NULL
        )""",
    ],
    # 4: access tokens are kept as SHA-256 digests (store/token_hash.py), never in clear.
    [f"UPDATE user_access_tokens SET token = {SQL_FUNCTION}(token)"],
    # 5: scheduled events (develop §5.2): series and their occurrences (times are Unix seconds;
    # `slot` is the start a series gave an occurrence, unique per series so the ticker's
    # materialisation is idempotent and a cancelled or moved slot is never recreated).
    [
        """CREATE TABLE schedule_series (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            reminder_message TEXT NOT NULL DEFAULT '',
            recurrence TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE schedule_events (
            id TEXT PRIMARY KEY,
            series_id TEXT,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            reminder_message TEXT NOT NULL DEFAULT '',
            start_time INTEGER NOT NULL,
            duration_minutes INTEGER NOT NULL,
            timezone TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'scheduled',
            slot INTEGER,
            federated INTEGER NOT NULL DEFAULT 0,
            warned INTEGER NOT NULL DEFAULT 0,
            UNIQUE (series_id, slot)
        )""",
        "CREATE INDEX schedule_events_start ON schedule_events (start_time)",
    ],
    # 6 (chatwoot bridge): the log of messages to and from Chatwoot (the outbox of queued
    # calls with our own id, attempts and backoff, and the viewers' private threads; a
    # received Chatwoot id is unique: replay protection), viewers' contacts, and conversations
    # with their status and reconcile cursor. Times are Unix seconds.
    [
        """CREATE TABLE chatwoot_messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            user_id TEXT NOT NULL,
            author TEXT NOT NULL,
            content TEXT NOT NULL,
            attachments TEXT NOT NULL DEFAULT '',
            sender_name TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            conversation_id INTEGER,
            cursor INTEGER NOT NULL DEFAULT 0,
            chatwoot_id INTEGER UNIQUE
        )""",
        "CREATE INDEX chatwoot_messages_due ON chatwoot_messages (status, next_attempt)",
        "CREATE INDEX chatwoot_messages_user ON chatwoot_messages (user_id, seq)",
        """CREATE TABLE chatwoot_contacts (
            user_id TEXT PRIMARY KEY,
            contact_id INTEGER NOT NULL,
            source_id TEXT NOT NULL
        )""",
        """CREATE TABLE chatwoot_conversations (
            conversation_id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            cursor INTEGER NOT NULL DEFAULT 0,
            message_id TEXT NOT NULL DEFAULT '',
            updated_at REAL NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX chatwoot_conversations_user ON chatwoot_conversations (user_id, kind)",
    ],
    # 7 (replays, issue 14): one row per recorded broadcast; files under recordings/<id>/.
    [
        """CREATE TABLE replays (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            started_at REAL NOT NULL,
            ended_at REAL,
            duration REAL NOT NULL DEFAULT 0,
            peak_viewers INTEGER NOT NULL DEFAULT 0,
            variants TEXT NOT NULL DEFAULT '',
            size_bytes INTEGER NOT NULL DEFAULT 0,
            published INTEGER NOT NULL DEFAULT 1,
            thumbnail INTEGER NOT NULL DEFAULT 0,
            mp4 INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX replays_started ON replays (started_at)",
    ],
    # 8 (federation, issue 11): followers (approved_at NULL = pending in private mode,
    # disabled_at set = blocked/rejected), accepted inbound activities (follows, likes, boosts;
    # one row per (object, actor, type)), and the objects we published (the outbox: Notes as
    # JSON). Times are Unix seconds.
    [
        """CREATE TABLE ap_followers (
            iri TEXT PRIMARY KEY,
            inbox TEXT NOT NULL,
            shared_inbox TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            username TEXT NOT NULL DEFAULT '',
            image TEXT NOT NULL DEFAULT '',
            request TEXT NOT NULL DEFAULT '',
            request_iri TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            approved_at REAL,
            disabled_at REAL
        )""",
        """CREATE TABLE ap_accepted_activities (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            iri TEXT NOT NULL,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            timestamp REAL NOT NULL,
            UNIQUE (iri, actor, type)
        )""",
        """CREATE TABLE ap_outbox (
            iri TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            type TEXT NOT NULL,
            created_at REAL NOT NULL,
            live_notification INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX ap_outbox_created ON ap_outbox (created_at)",
    ],
    # 9 (fedout, issue 11): the federation delivery queue. One body per activity (signed at
    # send time, so only the JSON is kept) and one row per (activity, inbox) still to deliver
    # (a delivered or dropped row is deleted). `host` is the inbox's host[:port] for the per-host
    # breaker; times are Unix seconds; `next_attempt` keeps the backoff across restarts.
    [
        """CREATE TABLE ap_delivery_bodies (
            id TEXT PRIMARY KEY,
            body BLOB NOT NULL,
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE ap_deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            activity TEXT NOT NULL,
            inbox TEXT NOT NULL,
            host TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            created_at REAL NOT NULL,
            last_error TEXT NOT NULL DEFAULT '',
            UNIQUE (activity, inbox)
        )""",
        "CREATE INDEX ap_deliveries_due ON ap_deliveries (next_attempt)",
        "CREATE INDEX ap_deliveries_host ON ap_deliveries (host)",
    ],
]
