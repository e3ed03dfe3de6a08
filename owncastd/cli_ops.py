"""`owncastd backup`, `owncastd restore` and `owncastd install-service`.

Exit codes as for the daemon: 0 done, 1 it could not be done (a daemon holds the data
directory, a damaged archive, a full disk), 2 configuration or usage errors.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from owncastd.config.load import ConfigFlags, load_config, locate_config
from owncastd.config.settings import Settings
from owncastd.errors import ConfigError
from owncastd.ops.backup import (
    BackupError,
    BackupSources,
    commit_restore,
    create_backup,
    stage_restore,
)
from owncastd.ops.lock import DataDirLock, DataDirLockedError
from owncastd.ops.unit import (
    DEFAULT_NAME,
    DEFAULT_USER,
    UnitOptions,
    installed_exec,
    render_sysusers,
    render_tmpfiles,
    render_unit,
)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Config file (default: DATA_DIR/owncast.toml).")
]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: ./data).")
]


def fail(message: str, code: int) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def locate(config: Path | None, data_dir: Path | None) -> tuple[Path, Path]:
    """(data directory, config file) resolved as the daemon resolves them."""
    return locate_config(config_path=config, data_dir=data_dir, environ=os.environ)


def path_flags(flags: ConfigFlags) -> ConfigFlags:
    """Only the flags that locate files (nothing that would be saved into the config)."""
    return ConfigFlags(database=flags.database, logdir=flags.logdir, backupdir=flags.backupdir)


def _settings(config_path: Path, data_root: Path, flags: ConfigFlags) -> Settings:
    try:
        return load_config(
            config_path=config_path, data_dir=data_root, environ=os.environ, flags=path_flags(flags)
        ).settings
    except ConfigError as exc:
        for problem in exc.problems:
            typer.secho(problem, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def _context(
    ctx: typer.Context, config: Path | None, data_dir: Path | None
) -> tuple[Path | None, Path | None, ConfigFlags]:
    base_config, base_data_dir, flags = ctx.obj
    return config or base_config, data_dir or base_data_dir, flags


def backup_command(
    ctx: typer.Context,
    destination: Annotated[
        Path | None,
        typer.Argument(help="Archive file or directory (default: the backup directory)."),
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write one archive with the database, the config, emoji and uploaded files.

    Safe while the daemon runs (SQLite's online backup). The archive holds secrets: mode 0600.
    """
    config, data_dir, flags = _context(ctx, config, data_dir)
    data_root, config_path = locate(config, data_dir)
    if not config_path.is_file():
        raise fail(f"no configuration at {config_path} (is --data-dir or --config right?)", 2)
    settings = _settings(config_path, data_root, flags)
    target = destination or Path(settings.paths.backup_dir)
    try:
        archive = create_backup(
            BackupSources.from_settings(settings, config_path), target, now=datetime.now(UTC)
        )
    except (BackupError, OSError) as exc:
        raise fail(f"backup failed: {exc}", 1) from None
    typer.echo(str(archive))


def restore_command(
    ctx: typer.Context,
    archive: Annotated[Path, typer.Argument(help="An archive made by `owncastd backup`.")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Restore an archive into the data directory (the daemon must be stopped).

    The files it replaces are kept in DATA_DIR/pre-restore-<time>/.
    """
    config, data_dir, flags = _context(ctx, config, data_dir)
    raise typer.Exit(run_restore(archive, config, data_dir, flags))


def run_restore(
    archive: Path, config: Path | None, data_dir: Path | None, flags: ConfigFlags
) -> int:
    """Restore `archive`; print what happened; return the exit code."""
    if not archive.is_file():
        raise fail(f"{archive}: no such file", 2)
    data_root, config_path = locate(config, data_dir)
    try:
        lock = DataDirLock(data_root, "restore").acquire()
    except DataDirLockedError as exc:
        raise fail(f"refusing to restore: {exc}", 1) from None
    try:
        try:
            staged = stage_restore(archive, data_root)
        except BackupError as exc:
            raise fail(f"restore failed: {exc}", 1) from None
        try:
            source = staged.config or (config_path if config_path.is_file() else None)
            if source is not None:
                database = Path(_settings(source, data_root, flags).paths.database)
            else:
                database = Path(flags.database or data_root / "owncast.db")
            aside = commit_restore(
                staged,
                config_path=config_path,
                database_path=database,
                data_dir=data_root,
                now=datetime.now(UTC),
            )
        except OSError as exc:
            raise fail(f"restore failed: {exc}", 1) from None
        finally:
            staged.discard()
    finally:
        lock.release()
    typer.echo(f"restored {archive} into {data_root} (database {database}, config {config_path})")
    if aside is not None:
        typer.echo(f"the files it replaced are in {aside}")
    return 0


def install_service_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the unit here (default: stdout).")
    ] = None,
    exec_path: Annotated[
        str | None, typer.Option("--exec", help="The owncastd executable (default: this one).")
    ] = None,
    name: Annotated[str, typer.Option(help="Service and directory name.")] = DEFAULT_NAME,
    user: Annotated[str, typer.Option(help="The system user it runs as.")] = DEFAULT_USER,
    sysusers: Annotated[
        Path | None, typer.Option(help="Also write the sysusers.d snippet for the user here.")
    ] = None,
    tmpfiles: Annotated[
        Path | None, typer.Option(help="Also write the tmpfiles.d snippet for /etc/NAME here.")
    ] = None,
) -> None:
    """Write the systemd unit for this installation (see systemd/README.md)."""
    options = UnitOptions(exec_path=exec_path or installed_exec(), name=name, user=user)
    unit = render_unit(options)
    written: list[Path] = []
    for path, text in ((sysusers, render_sysusers(options)), (tmpfiles, render_tmpfiles(options))):
        if path is not None:
            _write(path, text)
            written.append(path)
    if output is None or str(output) == "-":
        typer.echo(unit, nl=False)
    else:
        _write(output, unit)
        written.append(output)
    if written:
        typer.echo("wrote " + ", ".join(str(p) for p in written), err=True)
        typer.echo(
            "next: systemd-sysusers && systemd-tmpfiles --create && systemctl daemon-reload "
            f"&& systemctl enable --now {name}",
            err=True,
        )


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o644)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}", 1) from None


def register(app: typer.Typer) -> None:
    """Add the commands to the `owncastd` app."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("install-service")(install_service_command)
