"""`owncastd`: run the daemon (the default command) or check its configuration.

Exit codes: 0 after a clean stop, 1 when the daemon cannot run (no ffmpeg, port in use), 2 for
configuration and usage errors.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import trio
import typer

from owncastd import OWNCAST_API_VERSION, VERSION
from owncastd.cli_argv import plain_start
from owncastd.cli_edge import edge_command
from owncastd.cli_ops import ConfigOption, DataDirOption, fail, run_restore
from owncastd.cli_ops import register as register_ops_commands
from owncastd.config.load import (
    ConfigFlags,
    LoadedConfig,
    ensure_secrets,
    hash_password,
    load_config,
    render_effective,
    update_config,
)
from owncastd.config.write import write_atomic
from owncastd.errors import ConfigError, FfmpegNotFoundError, StartupError
from owncastd.first_start import reset_over_data_problem
from owncastd.hls.ffmpeg_binary import find_ffmpeg
from owncastd.logs import settings_secrets, setup_logging, under_journald
from owncastd.welcome import how_to_stream

if TYPE_CHECKING:
    from owncastd.daemon import Daemon

log = logging.getLogger("owncastd")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="owncastd — a self-hosted live video and chat server, compatible with Owncast.",
)


def _load(config: Path | None, data_dir: Path | None, flags: ConfigFlags) -> LoadedConfig:
    try:
        return load_config(config_path=config, data_dir=data_dir, environ=os.environ, flags=flags)
    except ConfigError as exc:
        for problem in exc.problems:
            typer.secho(problem, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


INITIAL_CREDENTIALS = "initial-credentials.txt"


def show_generated(loaded: LoadedConfig, *, terminal: bool) -> Path | None:
    """Hand first-run secrets to the admin exactly once (they are stored hashed or 0600).

    On a terminal they are printed. Otherwise stderr ends up in a log (journald keeps it for
    weeks), so they go to ``DATA_DIR/initial-credentials.txt`` (mode 0600) and only its path is
    printed. Returns that file's path when one was written.
    """
    generated = loaded.generated
    if generated is None:
        return None
    lines = []
    if generated.admin_password:
        lines.append(f"  admin password : {generated.admin_password}   (user: admin)")
    if generated.stream_key:
        lines.append(f"  stream key     : {generated.stream_key}")
    lines.append(f"  saved in       : {loaded.path}")
    if terminal:
        heading = "First start: generated credentials (shown only this once):"
        typer.echo("\n".join(["", heading, *lines, ""]), err=True)
        return None
    path = Path(loaded.settings.paths.data_dir) / INITIAL_CREDENTIALS
    text = "\n".join(
        [
            "owncastd first start: generated credentials. Delete this file once you have read"
            " them.",
            *lines,
            "",
        ]
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text, mode=0o600)
    except OSError as exc:
        typer.secho(
            f"First start: could not write the generated credentials to {path}: {exc.strerror}."
            " Set an admin password with --adminpassword; the stream key is in"
            f" {loaded.path}.",
            fg=typer.colors.RED,
            err=True,
        )
        return None
    typer.echo(
        f"\nFirst start: generated credentials written to {path} (mode 0600)."
        " Read them, then delete the file.\n",
        err=True,
    )
    return path


WebPortOption = Annotated[int | None, typer.Option("--webserverport", help="HTTP port (saved).")]
WebIpOption = Annotated[
    str | None, typer.Option("--webserverip", help="HTTP listen address (saved).")
]
RtmpPortOption = Annotated[int | None, typer.Option("--rtmpport", help="RTMP port (saved).")]
PasswordOption = Annotated[
    str | None,
    typer.Option("--adminpassword", help="Set the admin password (saved as a bcrypt hash)."),
]
StreamKeyOption = Annotated[
    str | None, typer.Option("--streamkey", help="A temporary stream key for this run only.")
]
DatabaseOption = Annotated[Path | None, typer.Option("--database", help="SQLite database file.")]
LogDirOption = Annotated[Path | None, typer.Option("--logdir", help="Log directory.")]
BackupDirOption = Annotated[Path | None, typer.Option("--backupdir", help="Backup directory.")]
VerboseOption = Annotated[
    bool, typer.Option("--enableVerboseLogging", help="Debug logging and HTTP access lines.")
]
VersionOption = Annotated[bool, typer.Option("--version", help="Print the version and exit.")]
RestoreDatabaseOption = Annotated[
    Path | None,
    typer.Option(
        "--restoreDatabase", help="Restore a backup archive (as `restore` does), then exit."
    ),
]


@app.callback()
def main_command(
    ctx: typer.Context,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    webserverport: WebPortOption = None,
    webserverip: WebIpOption = None,
    rtmpport: RtmpPortOption = None,
    adminpassword: PasswordOption = None,
    streamkey: StreamKeyOption = None,
    database: DatabaseOption = None,
    logdir: LogDirOption = None,
    backupdir: BackupDirOption = None,
    verbose: VerboseOption = False,
    version: VersionOption = False,
    restore_database: RestoreDatabaseOption = None,
) -> None:
    """Run the daemon (when no command is given)."""
    if version:
        typer.echo(f"owncastd {VERSION} (Owncast API {OWNCAST_API_VERSION})")
        raise typer.Exit(0)
    flags = ConfigFlags(
        webserverport=webserverport,
        webserverip=webserverip,
        rtmpport=rtmpport,
        adminpassword=adminpassword,
        streamkey=streamkey,
        database=database,
        logdir=logdir,
        backupdir=backupdir,
        enable_verbose_logging=verbose,
    )
    ctx.obj = (config, data_dir, flags)
    if restore_database is not None:
        raise typer.Exit(run_restore(restore_database, config, data_dir, flags))
    if ctx.invoked_subcommand is None:
        raise typer.Exit(_run(config, data_dir, flags))


def _run(config: Path | None, data_dir: Path | None, flags: ConfigFlags) -> int:
    from owncastd.daemon import Daemon
    from owncastd.daemon_paths import DaemonPaths
    from owncastd.ops.appliance import ApplianceOptions
    from owncastd.ops.file_modes import restrict_new_files
    from owncastd.ops.reload import config_loader

    restrict_new_files()  # the data, logs, config and backups are the daemon user's alone
    loaded = _load(config, data_dir, flags)
    if loaded.settings.cluster.role == "edge":  # not a single node with a new database
        raise fail("this config is for an edge node: run `owncastd edge`", 2)
    refused = reset_over_data_problem(loaded.settings, loaded.path)
    if refused is not None:
        raise fail(refused, 2)
    try:
        loaded = ensure_secrets(loaded)
    except ConfigError as exc:
        for problem in exc.problems:
            typer.secho(problem, fg=typer.colors.RED, err=True)
        return 2
    settings = loaded.settings
    environ = dict(os.environ)
    started: list[Daemon] = []  # the live settings come from the daemon once it exists
    options = ApplianceOptions(
        config_path=loaded.path,
        # A reload layers env and flags exactly as this start did.
        load_config=config_loader(
            config_path=loaded.path,
            data_dir=Path(settings.paths.data_dir),
            environ=environ,
            flags=flags,
            running=lambda: started[0].settings.current if started else settings,
        ),
    )
    log_buffer = setup_logging(
        DaemonPaths.from_settings(settings).log_dir,
        verbose=settings.verbose_logging,
        secrets=lambda: settings_secrets(started[0].settings.current if started else settings),
    )
    terminal = sys.stderr.isatty() and not under_journald()
    written = show_generated(loaded, terminal=terminal)
    try:
        ffmpeg = find_ffmpeg(settings.video.ffmpeg_path, os.environ)
    except FfmpegNotFoundError as exc:
        raise fail(str(exc), 1) from None
    log.info("starting version=%s config=%s ffmpeg=%s", VERSION, loaded.path, ffmpeg)
    daemon = Daemon(
        settings,
        ffmpeg=ffmpeg,
        appliance=options,
        config_path=loaded.path,
        log_buffer=log_buffer,
    )
    started.append(daemon)
    welcome = None if loaded.generated is None else _welcome(loaded, terminal, written)
    failures: list[str] = []
    try:
        trio.run(_serve, daemon, welcome)
    except* StartupError as group:
        failures = [str(exc) for exc in _leaves(group)]
    for failure in failures:
        typer.secho(failure, fg=typer.colors.RED, err=True)
    return 1 if failures else 0


async def _serve(daemon: Daemon, on_ready: Callable[[int, int], None] | None) -> None:
    """Run the daemon; `on_ready(http_port, rtmp_port)` once both listen."""
    async with trio.open_nursery() as nursery:
        http_port, rtmp_port = await nursery.start(daemon.run)
        if on_ready is not None:
            on_ready(http_port, rtmp_port)


def _welcome(
    loaded: LoadedConfig, terminal: bool, written: Path | None
) -> Callable[[int, int], None]:
    """The first start's "how to go live" text, printed with the ports actually bound."""
    generated = loaded.generated
    if generated is not None and generated.stream_key:
        key_hint = "the one printed above" if terminal else f"the one in {written or loaded.path}"
    else:
        key_hint = f"one of [rtmp] stream_keys in {loaded.path} (`owncastctl streamkeys list`)"
    settings = loaded.settings

    def show(http_port: int, rtmp_port: int) -> None:
        text = how_to_stream(
            rtmp_ip=settings.rtmp.ip,
            rtmp_port=rtmp_port,
            web_ip=settings.web.ip,
            web_port=http_port,
            key_hint=key_hint,
        )
        typer.echo(text, err=True)

    return show


def _leaves(group: BaseExceptionGroup[StartupError]) -> list[BaseException]:
    """The exceptions inside (possibly nested) exception groups."""
    leaves: list[BaseException] = []
    for exc in group.exceptions:
        leaves.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return leaves


@app.command("check-config")
def check_config(
    ctx: typer.Context, config: ConfigOption = None, data_dir: DataDirOption = None
) -> None:
    """Validate the configuration and print the effective settings (secrets redacted)."""
    base_config, base_data_dir, flags = ctx.obj
    loaded = _load(config or base_config, data_dir or base_data_dir, flags)
    typer.echo(f"# {loaded.path}: OK")
    typer.echo(render_effective(loaded.settings))


OWNCAST_DEFAULT_SECRET = "abc123"
OWNCAST_DEFAULT_KEY_COMMENT = "Default stream key"
OwncastDefaultsOption = Annotated[
    bool,
    typer.Option(
        "--owncast-defaults",
        "--compat",
        help="Use Owncast's first-run credentials: admin password and the only stream key "
        "abc123 (for Owncast's test suites; never on a public server).",
    ),
]


@app.command("init")
def init(
    ctx: typer.Context,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    owncast_defaults: OwncastDefaultsOption = False,
) -> None:
    """Create the config file with credentials and exit (generated ones unless told otherwise)."""
    base_config, base_data_dir, flags = ctx.obj
    loaded = _load(config or base_config, data_dir or base_data_dir, flags)
    if not owncast_defaults:
        try:
            loaded = ensure_secrets(loaded)
        except ConfigError as exc:
            raise fail("\n".join(exc.problems), 2) from None
        show_generated(loaded, terminal=sys.stderr.isatty() and not under_journald())
        typer.echo(f"{loaded.path}: ready")
        return
    changes = {
        "admin.password_hash": hash_password(OWNCAST_DEFAULT_SECRET),
        "rtmp.stream_keys": [
            {"key": OWNCAST_DEFAULT_SECRET, "comment": OWNCAST_DEFAULT_KEY_COMMENT}
        ],
    }
    try:
        update_config(loaded.path, changes)
    except ConfigError as exc:
        raise fail("\n".join(exc.problems), 2) from None
    typer.echo(
        f"{loaded.path}: Owncast's defaults: admin password {OWNCAST_DEFAULT_SECRET}, "
        f"stream key {OWNCAST_DEFAULT_SECRET}"
    )


register_ops_commands(app)
app.command("edge")(edge_command)


class _PlainContext:
    """What `main_command` reads of typer's context on a plain start (no command)."""

    obj: object = None
    invoked_subcommand: str | None = None


def main() -> None:
    """Console-script entry point: a plain start skips typer's parser (cli_argv.py)."""
    plain = plain_start(sys.argv[1:])
    if plain is None:
        app(prog_name="owncastd")
        return
    try:
        main_command(cast(typer.Context, _PlainContext()), **plain)  # type: ignore[arg-type]
    except typer.Exit as exc:  # as typer's own main: the exit code, 130 on Ctrl-C
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
