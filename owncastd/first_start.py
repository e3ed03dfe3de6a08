"""Never "first-start" over an existing installation.

A first start generates a new admin password and stream key and leaves every setting at its
default. That is right for an empty data directory, and wrong when `owncast.toml` was lost or
truncated (a 0-byte file after a crash or a full disk) while `owncast.db` still holds the
installation's users, tokens and chat: the admin would silently lose the settings and the
credentials everyone uses. The daemon refuses (exit 2) and says how to recover instead.
"""

from __future__ import annotations

from pathlib import Path

from owncastd.config.settings import Settings


def reset_over_data_problem(settings: Settings, config_path: Path) -> str | None:
    """Why starting now would wrongly be a first start, or None when it is fine.

    It is a first start when neither an admin password (file, env or flags) nor a stream key
    (in the file) is configured, as in a missing, empty or sample file; it is refused when the
    database already holds data. (A file with stream keys but the password given by
    OWNCAST_ADMIN_PASSWORD is a running installation, not a lost one.)
    """
    if settings.admin.password_hash or settings.rtmp.stream_keys:
        return None
    database = Path(settings.paths.database)
    try:
        populated = database.stat().st_size > 0
    except OSError:
        populated = False
    if not populated:
        return None
    backups = settings.paths.backup_dir or str(Path(settings.paths.data_dir) / "backup")
    return (
        f"{config_path} has no admin password or stream key (missing, empty or reset) but "
        f"{database} holds an existing installation: refusing a first start, which would make "
        "new credentials and reset every setting. Restore the config from a backup with "
        f"`owncastd restore ARCHIVE` (backups are in {backups}), or keep the data with default "
        "settings and new credentials: run `owncastd init` (or start with --adminpassword)."
    )
