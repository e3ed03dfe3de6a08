"""Access tokens at rest (issue 16, finding 9): the database keeps only SHA-256 digests.

A copy of `owncast.db` (+ WAL) must not hold a usable bearer or chat token; the tokens still
authenticate, the list names them by digest (which deletes but never authenticates), and a
database written before hashing is migrated in place.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from owncastd.store.access_tokens import AccessTokenStore
from owncastd.store.chat import ChatStore
from owncastd.store.database import Store, _connect
from owncastd.store.migrations import MIGRATIONS
from tests.component.integration_fixtures import IntegrationServer, start_integration_server


@pytest.fixture(name="server")
async def server_fixture(tmp_path, nursery) -> IntegrationServer:
    return await start_integration_server(nursery, tmp_path)


def database_bytes(database: Path) -> bytes:
    """Everything SQLite keeps on disk for `database` (main file, WAL, shared memory)."""
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    return b"".join(f.read_bytes() for f in files if f.exists())


def digest(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


async def test_the_database_holds_no_cleartext_token(server):
    bot = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    user, ws = await server.join("viewer")
    chat_token = user["accessToken"]
    await ws.aclose()
    stored = database_bytes(server.store.path)
    for token in (bot, chat_token):
        assert token.encode() not in stored
        assert token[:20].encode() not in stored
        assert digest(token).encode() in stored
    # both still authenticate
    assert (await server.bearer("GET", "/api/integrations/chat", bot)).status_code == 200
    async with server.http() as client:
        answer = await client.get("/api/chat", params={"accessToken": chat_token})
    assert answer.status_code == 200


async def test_the_listed_digest_deletes_but_never_authenticates(server):
    token = (await server.create_token("HAS_ADMIN_ACCESS"))["accessToken"]
    [listed] = (await server.admin("GET", "/api/admin/accesstokens")).json()
    assert listed["accessToken"] == digest(token)
    refused = await server.bearer("GET", "/api/integrations/chat", listed["accessToken"])
    assert refused.status_code == 401
    async with server.http() as client:
        chat = await client.get("/api/chat", params={"accessToken": listed["accessToken"]})
    assert chat.status_code == 401
    response = await server.admin(
        "POST", "/api/admin/accesstokens/delete", json={"token": listed["accessToken"]}
    )
    assert response.status_code == 200
    assert (await server.bearer("GET", "/api/integrations/chat", token)).status_code == 401


def cleartext_database(path: Path) -> None:
    """A database as owncastd wrote it before migration 4: tokens in clear."""
    conn = sqlite3.connect(path, isolation_level=None)
    for version, script in enumerate(MIGRATIONS[:3], start=1):
        for statement in script:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={version}")
    conn.execute(
        "INSERT INTO users (id, display_name, created_at, scopes, type) "
        "VALUES ('bot1', 'old bot', '2026-01-01T00:00:00.000Z', 'HAS_ADMIN_ACCESS', 'API')"
    )
    conn.execute(
        "INSERT INTO users (id, display_name, created_at) "
        "VALUES ('u1', 'old viewer', '2026-01-01T00:00:00.000Z')"
    )
    conn.executemany(
        "INSERT INTO user_access_tokens (token, user_id, timestamp) VALUES (?, ?, 'then')",
        [("old-bot-token-" + "b" * 30, "bot1"), ("old-chat-token-" + "c" * 29, "u1")],
    )
    conn.close()


async def test_a_cleartext_database_is_migrated_to_digests(tmp_path, nursery):
    path = tmp_path / "owncast.db"
    cleartext_database(path)
    bot, chat = "old-bot-token-" + "b" * 30, "old-chat-token-" + "c" * 29
    store = Store(path)
    await nursery.start(store.run)
    tokens = AccessTokenStore(store)
    found = await tokens.find(bot)
    assert found is not None and found.id == "bot1" and found.allows("HAS_ADMIN_ACCESS")
    user = await ChatStore(store).user_for_token(chat)
    assert user is not None and user.id == "u1"
    assert [i.token for i in await tokens.all()] == [digest(bot)]
    assert await tokens.delete(bot, datetime.now(UTC))
    assert await tokens.find(bot) is None
    # on disk, once checkpointed: digests only
    await store.read(lambda conn: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
    stored = database_bytes(path)
    assert bot.encode() not in stored and chat.encode() not in stored
    assert digest(chat).encode() in stored


def test_migration_leaves_digests_alone(tmp_path):
    """Re-running the digest over hashed rows (a restored, already-migrated copy) is a no-op."""
    conn = _connect(tmp_path / "x.db")
    value = digest("t")
    assert conn.execute("SELECT owncast_token_digest(?)", (value,)).fetchone()[0] == value
    assert conn.execute("SELECT owncast_token_digest('t')").fetchone()[0] == value
    conn.close()
