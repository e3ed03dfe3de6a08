"""Backups: one `.tar.gz` with the database, the config and the uploaded files, and its restore.

Archive layout::

    manifest.json     format, version, creation time, schema version, sha256 of every file
    owncast.db        a consistent copy made with SQLite's online backup API (safe while the
                      daemon writes), integrity-checked, in rollback-journal mode
    owncast.toml      the configuration file as it is (it holds secrets: archives are 0600)
    data/emoji/…      custom emoji
    data/public/…     files served at /public
    data/<logo>       the configured logo, when it lives in the data directory
    data/favicon.*    the uploaded favicon

Restoring is two steps so nothing is half-applied: :func:`stage_restore` extracts into a staging
directory beside the data and verifies every checksum and the database; :func:`commit_restore`
then moves what it replaces into `pre-restore-<time>/` and the restored files into place.
The caller holds the data-directory lock, so a running daemon's data is never touched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from owncastd import VERSION
from owncastd.config.settings import Settings
from owncastd.errors import OwncastdError

log = logging.getLogger(__name__)

FORMAT = "owncastd-backup"
FORMAT_VERSION = 1
MANUAL_PREFIX = "owncastd-backup-"
AUTO_PREFIX = "owncastd-auto-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
DATABASE = "owncast.db"
CONFIG = "owncast.toml"
DATA = "data"
DATA_DIRS = ("emoji", "public")
FAVICONS = ("favicon.png", "favicon.ico")  # the admin's upload (http/favicon.py)
TIME_FORMAT = "%Y%m%dT%H%M%SZ"


class BackupError(OwncastdError):
    """A backup could not be made, or an archive cannot be restored."""


@dataclass(frozen=True)
class BackupSources:
    """What a backup copies."""

    database: Path
    config: Path
    data_dir: Path
    logo: str = ""  # the configured logo, relative to the data dir (or absolute)

    @classmethod
    def from_settings(cls, settings: Settings, config: Path) -> BackupSources:
        """The sources of a daemon configured by `settings` and `config`."""
        return cls(
            database=Path(settings.paths.database),
            config=config,
            data_dir=Path(settings.paths.data_dir),
            logo=settings.server.logo,
        )

    def data_files(self) -> Iterator[tuple[str, Path]]:
        """(path relative to the data dir, file) for the emoji, public files, logo and
        favicon."""
        for name in DATA_DIRS:
            root = self.data_dir / name
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        yield path.relative_to(self.data_dir).as_posix(), path
        logo = self.logo_path()
        if logo is not None and logo.is_file():
            relative = logo.relative_to(self.data_dir).as_posix()
            if relative.split("/")[0] not in DATA_DIRS:
                yield relative, logo
        for name in FAVICONS:
            favicon = self.data_dir / name
            if favicon.is_file() and not favicon.is_symlink():
                yield name, favicon

    def logo_path(self) -> Path | None:
        """The logo file when it lives inside the data directory."""
        if not self.logo:
            return None
        path = Path(self.logo)
        path = (path if path.is_absolute() else self.data_dir / path).resolve()
        return path if path.is_relative_to(self.data_dir.resolve()) else None


def archive_name(now: datetime, *, automatic: bool = False) -> str:
    """`owncastd-backup-20260101T120000Z.tar.gz` (or `owncastd-auto-…` for the daily ones)."""
    prefix = AUTO_PREFIX if automatic else MANUAL_PREFIX
    return f"{prefix}{now.astimezone(UTC).strftime(TIME_FORMAT)}{SUFFIX}"


def snapshot_database(source: Path, target: Path) -> int:
    """Copy a (possibly live) SQLite database consistently; return its schema version."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the database copy failed its integrity check: {check}")
        return int(dst.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the database {source}: {exc}") from exc
    finally:
        dst.close()
        src.close()


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create_backup(
    sources: BackupSources, destination: Path, *, now: datetime, automatic: bool = False
) -> Path:
    """Write one archive; `destination` is a directory (a named archive goes in it) or a path.

    The archive appears atomically (written under a temporary name, then renamed) with mode
    0600. Raises :class:`BackupError` or OSError (e.g. the disk is full); nothing partial stays.
    """
    if destination.is_dir() or not destination.name.endswith((".tar.gz", ".tgz")):
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / archive_name(now, automatic=automatic)
    else:
        destination.parent.mkdir(parents=True, exist_ok=True)
        target = destination
    with tempfile.TemporaryDirectory(prefix=".owncastd-backup-", dir=target.parent) as tmp:
        staging = Path(tmp)
        snapshot = staging / DATABASE
        schema = snapshot_database(sources.database, snapshot)
        entries: list[tuple[str, Path]] = [(DATABASE, snapshot)]
        if sources.config.is_file():
            entries.append((CONFIG, sources.config))
        entries += [(f"{DATA}/{rel}", path) for rel, path in sources.data_files()]
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created": now.astimezone(UTC).isoformat(timespec="seconds"),
            "owncastd": VERSION,
            "schemaVersion": schema,
            "files": {
                name: {"sha256": sha256_of(p), "size": p.stat().st_size} for name, p in entries
            },
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        partial = staging / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for name, path in [(MANIFEST, manifest_path), *entries]:
                tar.add(path, arcname=name, recursive=False, filter=_plain_member)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    log.info(
        "backup written path=%s files=%d bytes=%d", target, len(entries), target.stat().st_size
    )
    return target


def _plain_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600 if info.isfile() else 0o700
    return info


@dataclass
class StagedRestore:
    """An archive extracted and verified in `staging` (removed by :meth:`discard`)."""

    staging: Path
    manifest: dict[str, object]
    data_files: list[str] = field(default_factory=list)

    @property
    def database(self) -> Path:
        """The verified database copy."""
        return self.staging / DATABASE

    @property
    def config(self) -> Path | None:
        """The configuration file, when the archive has one."""
        path = self.staging / CONFIG
        return path if path.is_file() else None

    def discard(self) -> None:
        """Remove the staging directory."""
        shutil.rmtree(self.staging, ignore_errors=True)


def stage_restore(archive: Path, data_dir: Path) -> StagedRestore:
    """Extract `archive` beside `data_dir` and verify it; raises :class:`BackupError`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    staged = StagedRestore(staging, {})
    try:
        staged.manifest = _extract(archive, staging)
        files = staged.manifest["files"]
        assert isinstance(files, dict)
        staged.data_files = sorted(
            name[len(DATA) + 1 :] for name in files if name.startswith(f"{DATA}/")
        )
        if not staged.database.is_file():
            raise BackupError(f"{archive}: no database in the archive")
        try:
            with sqlite3.connect(staged.database) as conn:
                check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as exc:
            raise BackupError(f"{archive}: the database cannot be opened: {exc}") from exc
        if check != "ok":
            raise BackupError(f"{archive}: the database failed its integrity check: {check}")
    except BaseException:
        staged.discard()
        raise
    return staged


def _extract(archive: Path, staging: Path) -> dict[str, object]:
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            names = tar.getnames()
            if MANIFEST not in names:
                raise BackupError(f"{archive}: not an owncastd backup (no {MANIFEST})")
            manifest = json.loads(_member_bytes(tar, MANIFEST))
            if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
                raise BackupError(f"{archive}: unsupported backup format")
            files = manifest.get("files")
            if not isinstance(files, dict):
                raise BackupError(f"{archive}: the manifest lists no files")
            unexpected = [n for n in names if n != MANIFEST and n not in files]
            if unexpected:
                raise BackupError(f"{archive}: files not in the manifest: {unexpected[:3]}")
            for name in files:
                _check_member_name(archive, name)
                if name not in names:
                    raise BackupError(
                        f"{archive}: {name} is missing or damaged (not in the archive)"
                    )
            tar.extractall(staging, members=[tar.getmember(n) for n in files], filter="data")
    except (tarfile.TarError, OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{archive}: cannot read the archive: {exc}") from exc
    for name, info in files.items():
        path = staging / name
        if not path.is_file() or sha256_of(path) != info.get("sha256"):
            raise BackupError(f"{archive}: {name} is missing or damaged (checksum mismatch)")
    return dict(manifest)


def _member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    handle = tar.extractfile(name)
    if handle is None:
        raise BackupError(f"{name} is not a file")
    return handle.read()


def _check_member_name(archive: Path, name: str) -> None:
    path = PurePosixPath(name)
    top_level = name in (DATABASE, CONFIG)
    in_data = len(path.parts) > 1 and path.parts[0] == DATA
    if path.is_absolute() or ".." in path.parts or not (top_level or in_data):
        raise BackupError(f"{archive}: unexpected path in the archive: {name!r}")


def commit_restore(
    staged: StagedRestore, *, config_path: Path, database_path: Path, data_dir: Path, now: datetime
) -> Path | None:
    """Move the staged files into place; what they replace goes to `pre-restore-<time>/`.

    Returns that directory, or None when nothing was replaced. The staging dir is removed.
    """
    aside = data_dir / f"pre-restore-{now.astimezone(UTC).strftime(TIME_FORMAT)}"
    moved: list[Path] = []

    def put_aside(path: Path, name: str) -> None:
        if path.exists() or path.is_symlink():
            target = aside / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            moved.append(target)

    try:
        for suffix in ("", "-wal", "-shm", "-journal"):
            put_aside(database_path.with_name(database_path.name + suffix), DATABASE + suffix)
        database_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged.database, database_path)
        os.chmod(database_path, 0o600)
        if staged.config is not None:
            put_aside(config_path, CONFIG)
            config_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged.config, config_path)
            os.chmod(config_path, 0o600)
        # emoji/ and public/ are replaced whole; other files (the logo) one by one.
        whole = sorted({n.split("/")[0] for n in staged.data_files if n.split("/")[0] in DATA_DIRS})
        single = [n for n in staged.data_files if n.split("/")[0] not in DATA_DIRS]
        for name in whole + single:
            put_aside(data_dir / name, f"{DATA}/{name}")
            (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged.staging / DATA / name, data_dir / name)
    finally:
        staged.discard()
    log.info(
        "backup restored database=%s config=%s replaced=%d", database_path, config_path, len(moved)
    )
    return aside if moved else None
