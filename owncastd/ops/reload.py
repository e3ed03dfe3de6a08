"""Configuration reload (SIGHUP, `systemctl reload`, `POST /api/admin/config/reload`).

`owncast.toml` is read again with the same env and flag layering as at startup. A file with any
problem is rejected whole: the running settings stay and every problem is logged. Otherwise the
new settings are swapped into the :class:`SettingsRef` at once, except the keys that only a
restart can change (listeners, paths, the ffmpeg binary, log verbosity): those keep their running
values and are listed in the log, in `/api/admin/status` and in the route's answer until the
daemon restarts. Video settings apply from the next stream.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trio

from owncastd.config.load import ConfigFlags, load_config, verify_password
from owncastd.config.settings import Settings, SettingsRef
from owncastd.config.table import TABLE
from owncastd.errors import ConfigError
from owncastd.notify import reloading_message, sd_notify

log = logging.getLogger(__name__)

# Keys (or key prefixes ending in ".") that only take effect when the daemon restarts.
# Settings that are not keys of the file (flags and the environment) but are fixed at start.
PROCESS_ONLY = ("paths.data_dir", "verbose_logging")


def flatten(settings: Any, prefix: str = "") -> dict[str, Any]:
    """Settings as `{dotted.key: value}` (nested dataclasses expanded; tuples kept whole)."""
    out: dict[str, Any] = {}
    for spec in dataclasses.fields(settings):
        value = getattr(settings, spec.name)
        name = f"{prefix}{spec.name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def changed_keys(old: Settings, new: Settings) -> list[str]:
    """Dotted keys whose values differ between `old` and `new` (the stream key flag excluded)."""
    before, after = flatten(old), flatten(new)
    return sorted(k for k in after if before.get(k) != after[k] and k != "temporary_stream_key")


def _applies(key: str) -> set[str]:
    """When the table says `key` (or, for an array of tables, its items' keys) applies."""
    return {s.applies for s in TABLE if s.path == key or s.path.startswith(key + ".")}


def needs_restart(key: str) -> bool:
    """True for keys a reload cannot apply (the settings table's `applies="restart"`)."""
    return key in PROCESS_ONLY or "restart" in _applies(key)


def applies_next_stream(key: str) -> bool:
    """True for keys that take effect from the next stream (video, stream keys)."""
    return "next stream" in _applies(key)


def keep_running_values(loaded: Settings, started: Settings) -> Settings:
    """`loaded`, with the restart-only keys set back to what the daemon started with."""
    return dataclasses.replace(
        loaded,
        web=dataclasses.replace(loaded.web, ip=started.web.ip, port=started.web.port),
        rtmp=dataclasses.replace(loaded.rtmp, ip=started.rtmp.ip, port=started.rtmp.port),
        video=dataclasses.replace(loaded.video, ffmpeg_path=started.video.ffmpeg_path),
        paths=started.paths,
        verbose_logging=started.verbose_logging,
    )


def config_loader(
    *,
    config_path: Path,
    data_dir: Path,
    environ: Mapping[str, str],
    flags: ConfigFlags,
    running: Callable[[], Settings],
) -> Callable[[], Settings]:
    """`load()` for :class:`ConfigReloader`: the file layered with env and flags as at start.

    A password from `OWNCAST_ADMIN_PASSWORD` is hashed afresh by every load (a new salt); when it
    still matches the running hash, that hash is kept, so a reload does not report a change.
    """

    def load() -> Settings:
        settings = load_config(
            config_path=config_path, data_dir=data_dir, environ=environ, flags=flags
        ).settings
        plain = environ.get("OWNCAST_ADMIN_PASSWORD")
        current = running().admin.password_hash
        if plain is not None and current and verify_password(plain, current):
            admin = dataclasses.replace(settings.admin, password_hash=current)
            settings = dataclasses.replace(settings, admin=admin)
        return settings

    return load


def reload_problems(settings: Settings) -> list[str]:
    """What a reload refuses beyond config errors: states only a first start may repair."""
    problems = []
    if not settings.admin.password_hash:
        problems.append("[admin] password_hash: empty (a reload cannot generate a password)")
    if not settings.rtmp.stream_keys and not settings.temporary_stream_key:
        problems.append("[rtmp] stream_keys: empty (publishers could not connect)")
    return problems


@dataclass(frozen=True)
class ReloadResult:
    """The outcome of one reload."""

    ok: bool
    origin: str
    at: datetime
    changed: tuple[str, ...] = ()
    restart_required: tuple[str, ...] = ()
    next_stream: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """The JSON shape used by the admin routes."""
        return {
            "ok": self.ok,
            "origin": self.origin,
            "time": self.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "changed": list(self.changed),
            "restartRequired": list(self.restart_required),
            "nextStream": list(self.next_stream),
            "problems": list(self.problems),
        }


class ConfigReloader:
    """Re-reads the configuration on request and swaps it into `settings`.

    `load()` returns the freshly layered settings or raises :class:`ConfigError`; it runs on a
    worker thread (file I/O, bcrypt for `--adminpassword`). Reloads never overlap. The load and
    the swap happen under `config_lock` (the :class:`~owncastd.config.editor.ConfigEditor`'s
    lock, see :meth:`share_config_lock`), so an admin change cannot land between them and be
    undone by settings read before it.
    """

    def __init__(
        self,
        settings: SettingsRef,
        load: Callable[[], Settings],
        *,
        is_live: Callable[[], bool] = lambda: False,
        notify: Callable[[str], object] = sd_notify,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        config_lock: trio.Lock | None = None,
    ) -> None:
        self._settings = settings
        self._config_lock = config_lock if config_lock is not None else trio.Lock()
        self._started = settings.current
        self._load = load
        self._is_live = is_live
        self._notify = notify
        self._clock = clock
        self._lock = trio.Lock()
        self._send, self._requests = trio.open_memory_channel[str](1)
        self.pending_restart: tuple[str, ...] = ()
        self.last: ReloadResult | None = None

    def share_config_lock(self, lock: trio.Lock) -> None:
        """Load and swap under `lock` from now on (the lock every settings writer holds)."""
        self._config_lock = lock

    def request(self, origin: str) -> None:
        """Ask for a reload from a signal handler (coalesced with one already queued)."""
        try:
            self._send.send_nowait(origin)
        except trio.WouldBlock:
            log.info("config reload already queued origin=%s", origin)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Serve queued reload requests until cancelled."""
        task_status.started()
        async for origin in self._requests:
            await self.reload(origin)

    async def reload(self, origin: str) -> ReloadResult:
        """Reload now; return what happened (also kept in `last`)."""
        async with self._lock:
            self._notify(reloading_message())
            log.info("config reload started origin=%s", origin)
            try:
                result = await self._reload(origin)
            finally:
                status = "serving" if self.last is None or self.last.ok else "reload rejected"
                self._notify(f"READY=1\nSTATUS={status}")
            return result

    async def _reload(self, origin: str) -> ReloadResult:
        async with self._config_lock:
            try:
                loaded = await trio.to_thread.run_sync(self._load)
                problems = reload_problems(loaded)
            except ConfigError as exc:
                problems = exc.problems
            except OSError as exc:
                problems = [f"cannot read the configuration: {exc}"]
            except Exception as exc:
                log.exception("config reload failed unexpectedly origin=%s", origin)
                problems = [f"unexpected error: {type(exc).__name__}"]
            if problems:
                return self._reject(origin, problems)
            return self._apply(origin, loaded)

    def _reject(self, origin: str, problems: list[str]) -> ReloadResult:
        log.error(
            "config reload rejected origin=%s problems=%d; the running configuration stays",
            origin,
            len(problems),
        )
        for problem in problems:
            log.error("config reload problem: %s", problem)
        result = ReloadResult(
            ok=False,
            origin=origin,
            at=self._clock(),
            restart_required=self.pending_restart,
            problems=tuple(problems),
        )
        self.last = result
        return result

    def _apply(self, origin: str, loaded: Settings) -> ReloadResult:
        running = self._settings.current
        applied = keep_running_values(loaded, self._started)
        changed = tuple(changed_keys(running, applied))
        restart = tuple(k for k in changed_keys(self._started, loaded) if needs_restart(k))
        next_stream = tuple(k for k in changed if applies_next_stream(k))
        self._settings.replace(applied)
        self.pending_restart = restart
        log.info(
            "config reloaded origin=%s changed=%s", origin, ",".join(changed) if changed else "none"
        )
        if next_stream and self._is_live():
            log.info("config applies from the next stream keys=%s", ",".join(next_stream))
        if restart:
            started, configured = flatten(self._started), flatten(loaded)
            for key in restart:
                log.warning(
                    "config change needs a restart key=%s running=%s configured=%s",
                    key,
                    started[key],
                    configured[key],
                )
        result = ReloadResult(
            ok=True,
            origin=origin,
            at=self._clock(),
            changed=changed,
            restart_required=restart,
            next_stream=next_stream if self._is_live() else (),
        )
        self.last = result
        return result
