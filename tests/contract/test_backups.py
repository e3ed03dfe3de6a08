"""`/api/admin/backups` (ours, not Owncast's): list the archives in the backup directory, make
one, download one with its file name; nothing outside that directory can be read."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from datetime import UTC, datetime

import pytest

from owncastd.http.app import create_app
from owncastd.http.context import WebContext
from owncastd.ops.backup import BackupSources
from owncastd.ops.backup_downloads import BackupDownloads
from owncastd.ops.daemon_status import Operations
from owncastd.ops.health import Health
from tests.component.app_fixtures import ADMIN_PASSWORD, basic
from tests.component.http_fixtures import build_web

AUTH = basic("admin", ADMIN_PASSWORD)
AUTO = "owncastd-auto-20260101T000000Z.tar.gz"
NOW = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)


@pytest.fixture(name="backups")
def backups_fixture(tmp_path):
    data = tmp_path / "data"
    folder = data / "backup"
    folder.mkdir(parents=True)
    database = data / "owncast.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE t (x)")
    config = tmp_path / "owncast.toml"
    config.write_text("[server]\nname = 'backed up'\n")
    (folder / AUTO).write_bytes(b"auto archive bytes")
    (folder / "notes.txt").write_text("not an archive")
    (tmp_path / "secret.tar.gz").write_text("outside")
    (folder / "owncastd-auto-20250101T000000Z.tar.gz").symlink_to(tmp_path / "secret.tar.gz")
    sources = BackupSources(database=database, config=config, data_dir=data)
    downloads = BackupDownloads(lambda: folder, lambda: sources, lambda: NOW)
    harness = build_web(tmp_path / "web")
    ctx = WebContext(
        settings=harness.settings,
        stream=harness.stream,
        viewers=harness.viewers,
        paths=harness.paths,
        version="test",
        clock=harness.wall,
        operations=Operations(Health(notify=lambda _: None), backups=downloads),
    )
    return create_app(ctx).test_client(), folder


async def test_the_list_has_the_archives_only_newest_first(backups):
    client, _ = backups
    response = await client.get("/api/admin/backups", headers=AUTH)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = json.loads(await response.get_data())
    assert body == {
        "canCreate": True,
        "backups": [
            {"name": AUTO, "size": 18, "created": "2026-01-01T00:00:00Z", "automatic": True}
        ],
    }


async def test_create_then_download_a_real_archive(backups):
    client, folder = backups
    made = await client.post("/api/admin/backups/create", headers=AUTH, json={})
    assert made.status_code == 200
    archive = json.loads(await made.get_data())
    assert archive["name"] == "owncastd-backup-20260203T040506Z.tar.gz"
    assert archive["automatic"] is False and archive["created"] == "2026-02-03T04:05:06Z"
    listed = json.loads(await (await client.get("/api/admin/backups", headers=AUTH)).get_data())
    assert [b["name"] for b in listed["backups"]] == [archive["name"], AUTO]
    response = await client.get(
        "/api/admin/backups/download", query_string={"name": archive["name"]}, headers=AUTH
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/gzip"
    assert response.headers["Content-Disposition"] == (f'attachment; filename="{archive["name"]}"')
    data = await response.get_data()
    assert len(data) == archive["size"] == (folder / archive["name"]).stat().st_size
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        assert {"manifest.json", "owncast.db", "owncast.toml"} <= set(tar.getnames())


@pytest.mark.parametrize(
    "name",
    [
        "",
        "notes.txt",
        "../secret.tar.gz",
        "owncastd-auto-20250101T000000Z.tar.gz",  # a symlink out of the directory
        "owncastd-auto-20260101T000000Z.tar.gz/../../secret.tar.gz",
        "/etc/passwd",
        "owncastd-backup-20990101T000000Z.tar.gz",  # well formed, not there
    ],
)
async def test_only_archives_in_the_directory_download(backups, name):
    client, _ = backups
    response = await client.get(
        "/api/admin/backups/download", query_string={"name": name}, headers=AUTH
    )
    assert response.status_code == 404
    assert json.loads(await response.get_data())["success"] is False


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/backups"),
        ("POST", "/api/admin/backups/create"),
        ("GET", f"/api/admin/backups/download?name={AUTO}"),
    ],
)
async def test_backups_need_the_admin(backups, method, path):
    client, _ = backups
    response = await client.open(path, method=method)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


async def test_without_the_appliance_backups_are_404(tmp_path):
    client = build_web(tmp_path).app.test_client()
    response = await client.get("/api/admin/backups", headers=AUTH)
    assert response.status_code == 404
