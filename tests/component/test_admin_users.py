"""`GET /api/admin/users` (filters, paging, newest first) and `POST /api/admin/users/delete`."""

from __future__ import annotations

import sqlite3

import pytest

from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

# id, name, created, disabled, scopes, type, previous names
USERS = [
    ("u1", "alice", "2026-01-01T10:00:00.000Z", None, "", "STANDARD", ",alice"),
    ("u2", "bob", "2026-01-02T10:00:00.000Z", "2026-01-03T00:00:00.000Z", "", "STANDARD", ""),
    ("u3", "carol_mod", "2026-01-03T10:00:00.000Z", None, "MODERATOR", "STANDARD", ",c,carol"),
    ("u4", "weather bot", "2026-01-04T10:00:00.000Z", None, "CAN_SEND_MESSAGES", "API", ""),
    ("u5", "100%_real", "2026-01-05T10:00:00.000Z", None, "", "STANDARD", ""),
]


async def add_users(admin: AdminHarness) -> None:
    for uid, name, created, disabled, scopes, kind, previous in USERS:
        await admin.store.write(
            "INSERT INTO users (id, display_name, display_color, created_at, disabled_at, "
            "previous_names, scopes, type) VALUES (?, ?, 3, ?, ?, ?, ?, ?)",
            (uid, name, created, disabled, previous, scopes, kind),
        )
    await admin.store.write(
        "INSERT INTO user_access_tokens (token, user_id, timestamp) VALUES ('t1', 'u1', 'now')"
    )
    await admin.store.write(
        "INSERT INTO auth (user_id, token, type, timestamp) "
        "VALUES ('u1', 'https://alice.example', 'indieauth', 'now')"
    )
    await admin.store.write(
        "INSERT INTO messages (id, user_id, body, eventType, timestamp) "
        "VALUES ('m1', 'u1', 'hi', 'CHAT', 'now'), ('m2', 'u3', 'yo', 'CHAT', 'now')"
    )


def ids(body) -> list[str]:
    return [u["id"] for u in body["results"]]


async def test_users_are_listed_newest_first(admin: AdminHarness):
    await add_users(admin)
    response, body = await admin.get("/api/admin/users")
    assert response.status_code == 200
    assert body["total"] == 5
    assert ids(body) == ["u5", "u4", "u3", "u2", "u1"]
    alice = body["results"][-1]
    assert alice == {
        "id": "u1",
        "displayName": "alice",
        "displayColor": 3,
        "createdAt": "2026-01-01T10:00:00.000Z",
        "previousNames": ["alice"],
        "isBot": False,
        "authenticated": False,
        "authProviders": ["IndieAuth"],  # develop §2.4: friendly names
    }
    assert "authProviders" not in body["results"][-2]  # anonymous: absent
    bob = body["results"][-2]
    assert bob["disabledAt"] == "2026-01-03T00:00:00.000Z"
    assert body["results"][1]["isBot"] is True
    assert body["results"][1]["scopes"] == ["CAN_SEND_MESSAGES"]


@pytest.mark.parametrize(
    ("query", "expected_total", "expected_ids"),
    [
        ("?status=moderators", 1, ["u3"]),
        ("?status=banned", 1, ["u2"]),
        ("?status=bots", 1, ["u4"]),
        ("?search=ALI", 1, ["u1"]),  # case-insensitive
        ("?search=_", 2, ["u5", "u3"]),  # a literal underscore, not a wildcard
        ("?search=%25", 1, ["u5"]),  # a literal percent sign
        ("?search=o&status=moderators", 1, ["u3"]),
        ("?limit=2", 5, ["u5", "u4"]),
        ("?limit=2&offset=2", 5, ["u3", "u2"]),
        ("?offset=10", 5, []),
        ("?search=nobody", 0, []),
        # Owncast develop (openapi.yaml@86011b77): status=all|active|bots, sort=asc|desc.
        ("?status=all", 5, ["u5", "u4", "u3", "u2", "u1"]),
        ("?status=active", 4, ["u5", "u4", "u3", "u1"]),  # not disabled
        ("?sort=asc&limit=2", 5, ["u1", "u2"]),
        ("?sort=desc&limit=2", 5, ["u5", "u4"]),
        ("?status=active&sort=asc&offset=1", 4, ["u3", "u4", "u5"]),
    ],
)
async def test_users_filters_and_paging(admin: AdminHarness, query, expected_total, expected_ids):
    await add_users(admin)
    response, body = await admin.get("/api/admin/users" + query)
    assert response.status_code == 200
    assert body["total"] == expected_total
    assert ids(body) == expected_ids


@pytest.mark.parametrize(
    "query",
    ["?status=admins", "?limit=0", "?limit=100000", "?offset=-1", "?limit=ten", "?sort=up"],
)
async def test_users_refuses_bad_parameters(admin: AdminHarness, query):
    response, body = await admin.get("/api/admin/users" + query)
    assert response.status_code == 400
    assert body["success"] is False
    response, body = await admin.get("/api/admin/users?status=moderators&limit=10&offset=0")
    assert response.status_code == 200 and body["total"] == 0  # good parameters are served


async def test_delete_removes_the_user_their_tokens_and_messages(admin: AdminHarness):
    await add_users(admin)
    deleted: list[str] = []
    admin.control.user_deleted.append(deleted.append)
    response, body = await admin.post("/api/admin/users/delete", {"userId": "u1"})
    assert response.status_code == 200 and body["success"] is True
    assert deleted == ["u1"]

    def counts(conn: sqlite3.Connection) -> tuple[int, ...]:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = 'u1'").fetchone()[0]
            for table in ("user_access_tokens", "auth", "messages")
        )

    assert await admin.store.read(counts) == (0, 0, 0)
    _, body = await admin.get("/api/admin/users")
    assert "u1" not in ids(body) and body["total"] == 4
    remaining = await admin.store.read(
        lambda conn: conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    )
    assert remaining == 1


@pytest.mark.parametrize(
    "body", [{"userId": "nobody"}, {}, {"userId": ""}, {"userId": 5}, {"userId": ["u1"]}, []]
)
async def test_delete_refuses_unknown_or_missing_ids(admin: AdminHarness, body):
    await add_users(admin)
    response, answer = await admin.post("/api/admin/users/delete", body)
    assert response.status_code == 400
    assert answer["success"] is False
    _, listing = await admin.get("/api/admin/users")
    assert listing["total"] == 5


async def test_users_routes_need_the_admin(admin: AdminHarness):
    await add_users(admin)
    response, _ = await admin.get("/api/admin/users", auth=False)
    assert response.status_code == 401
    response, _ = await admin.post("/api/admin/users/delete", {"userId": "u1"}, auth=False)
    assert response.status_code == 401
    _, listing = await admin.get("/api/admin/users")
    assert listing["total"] == 5
