"""The uploaded favicon (develop §5.1) is backed up and restored like the logo, and so are
scheduled events (they live in the database)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile

from owncastd.ops.backup import commit_restore, create_backup, stage_restore
from tests.unit.ops.test_backup import NOW, make_data


def test_the_favicon_is_in_the_backup_and_comes_back(tmp_path):
    sources = make_data(tmp_path)
    (sources.data_dir / "favicon.ico").write_bytes(b"\x00\x00\x01\x00-icon")
    sqlite = sqlite3.connect(sources.database)
    sqlite.execute(
        "INSERT INTO schedule_events (id, name, start_time, duration_minutes, timezone) "
        "VALUES ('e1', 'Friday jam', 1800000000, 60, 'Europe/Paris')"
    )
    sqlite.commit()
    sqlite.close()
    archive = create_backup(sources, tmp_path / "backups", now=NOW)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "data/favicon.ico" in manifest["files"]

    shutil.rmtree(sources.data_dir)
    data = sources.data_dir
    commit_restore(
        stage_restore(archive, data),
        config_path=data / "owncast.toml",
        database_path=data / "owncast.db",
        data_dir=data,
        now=NOW,
    )
    assert (data / "favicon.ico").read_bytes() == b"\x00\x00\x01\x00-icon"
    sqlite = sqlite3.connect(data / "owncast.db")
    assert sqlite.execute("SELECT name FROM schedule_events").fetchall() == [("Friday jam",)]
    sqlite.close()
