"""ConfigReloader: what applies live, what waits for a restart, what is rejected whole."""

from __future__ import annotations

import dataclasses
import logging
import threading

import pytest
import trio
import trio.testing

from owncastd.config.editor import ConfigEditor
from owncastd.config.load import ConfigFlags, verify_password
from owncastd.config.settings import (
    AdminSettings,
    PathSettings,
    RtmpSettings,
    ServerSettings,
    Settings,
    SettingsRef,
    StreamKey,
    VideoSettings,
    WebSettings,
)
from owncastd.errors import ConfigError
from owncastd.ops.reload import (
    ConfigReloader,
    changed_keys,
    config_loader,
    keep_running_values,
    needs_restart,
)

STARTED = Settings(
    admin=AdminSettings(password_hash="$2b$04$" + "a" * 53),
    rtmp=RtmpSettings(ip="127.0.0.1", port=1935, stream_keys=(StreamKey("key-one-123"),)),
    web=WebSettings(ip="127.0.0.1", port=8080),
    paths=PathSettings(data_dir="/srv/data", database="/srv/data/owncast.db"),
)


def edit(settings: Settings, section: str, **changes) -> Settings:
    part = dataclasses.replace(getattr(settings, section), **changes)
    return dataclasses.replace(settings, **{section: part})


class Loader:
    """A config source the test changes between reloads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.error: Exception | None = None

    def __call__(self) -> Settings:
        if self.error is not None:
            raise self.error
        return self.settings


@pytest.fixture(name="setup")
def setup_fixture():
    ref = SettingsRef(STARTED)
    loader = Loader(STARTED)
    notes: list[str] = []
    live = {"value": False}
    reloader = ConfigReloader(ref, loader, is_live=lambda: live["value"], notify=notes.append)
    return ref, loader, notes, live, reloader


def test_keys_that_need_a_restart():
    for key in ("web.port", "web.ip", "rtmp.port", "rtmp.ip", "paths.database"):
        assert needs_restart(key)
    assert needs_restart("video.ffmpeg_path") and needs_restart("verbose_logging")
    for key in ("server.name", "rtmp.stream_keys", "video.latency_level", "admin.password_hash"):
        assert not needs_restart(key)


def test_changed_keys_are_dotted_and_ignore_the_temporary_key():
    new = edit(edit(STARTED, "server", name="x"), "video", latency_level=4)
    new = dataclasses.replace(new, temporary_stream_key="tmp-key-123456")
    assert changed_keys(STARTED, new) == ["server.name", "video.latency_level"]


def test_restart_only_keys_keep_their_running_values():
    loaded = edit(edit(STARTED, "web", port=9000), "server", name="New")
    kept = keep_running_values(loaded, STARTED)
    assert kept.web.port == 8080 and kept.server.name == "New"


async def test_live_settings_apply_at_once(setup):
    ref, loader, notes, _, reloader = setup
    loader.settings = edit(
        edit(STARTED, "server", name="Renamed"),
        "rtmp",
        stream_keys=(StreamKey("key-two-456"),),
    )
    result = await reloader.reload("SIGHUP")
    assert result.ok and result.changed == ("rtmp.stream_keys", "server.name")
    assert ref.current.server.name == "Renamed"
    assert ref.current.rtmp.stream_keys == (StreamKey("key-two-456"),)
    assert result.restart_required == () and reloader.pending_restart == ()
    assert notes[0].startswith("RELOADING=1\nMONOTONIC_USEC=")
    assert notes[1] == "READY=1\nSTATUS=serving"


async def test_listener_changes_are_listed_until_they_are_reverted(setup, caplog):
    ref, loader, _, _, reloader = setup
    loader.settings = edit(edit(STARTED, "web", port=9000), "server", name="Also")
    with caplog.at_level(logging.WARNING):
        result = await reloader.reload("SIGHUP")
    assert result.ok and result.restart_required == ("web.port",)
    assert reloader.pending_restart == ("web.port",)
    assert ref.current.web.port == 8080 and ref.current.server.name == "Also"
    assert "needs a restart key=web.port running=8080 configured=9000" in caplog.text
    loader.settings = STARTED
    await reloader.reload("api")
    assert reloader.pending_restart == ()


async def test_a_broken_config_is_rejected_whole(setup, caplog):
    ref, loader, notes, _, reloader = setup
    loader.settings = edit(STARTED, "server", name="Good")
    await reloader.reload("SIGHUP")
    problems = [
        "owncast.toml: [web] port: must be 0..65535 (got 70000)",
        "owncast.toml: [video] latency_level: must be 0..4 (got 9)",
    ]
    loader.error = ConfigError(problems)
    with caplog.at_level(logging.ERROR):
        result = await reloader.reload("SIGHUP")
    assert not result.ok and list(result.problems) == problems
    assert ref.current.server.name == "Good"  # the running configuration stays
    for problem in problems:
        assert f"config reload problem: {problem}" in caplog.text
    assert "rejected origin=SIGHUP problems=2" in caplog.text
    assert notes[-1] == "READY=1\nSTATUS=reload rejected"  # systemd leaves the reloading state
    assert reloader.last is result


@pytest.mark.parametrize(
    ("section", "changes", "problem"),
    [
        ("admin", {"password_hash": ""}, "[admin] password_hash: empty"),
        ("rtmp", {"stream_keys": ()}, "[rtmp] stream_keys: empty"),
    ],
)
async def test_what_only_a_first_start_may_repair_is_rejected(setup, section, changes, problem):
    ref, loader, _, _, reloader = setup
    loader.settings = edit(STARTED, section, **changes)
    result = await reloader.reload("SIGHUP")
    assert not result.ok and result.problems[0].startswith(problem)
    assert ref.current == STARTED


async def test_unreadable_file_and_unexpected_errors_are_rejections(setup):
    _, loader, _, _, reloader = setup
    loader.error = PermissionError(13, "Permission denied")
    assert "Permission denied" in (await reloader.reload("SIGHUP")).problems[0]
    loader.error = RuntimeError("boom")
    result = await reloader.reload("SIGHUP")
    assert result.problems == ("unexpected error: RuntimeError",)


async def test_video_changes_wait_for_the_next_stream_while_live(setup, caplog):
    ref, loader, _, live, reloader = setup
    live["value"] = True
    loader.settings = edit(STARTED, "video", latency_level=4)
    with caplog.at_level(logging.INFO):
        result = await reloader.reload("SIGHUP")
    assert result.next_stream == ("video.latency_level",)
    assert ref.current.video == VideoSettings(latency_level=4)
    assert "applies from the next stream keys=video.latency_level" in caplog.text


async def test_requests_are_queued_and_coalesced(setup, nursery):
    ref, loader, _, _, reloader = setup
    await nursery.start(reloader.run)
    loader.settings = edit(STARTED, "server", name="Queued")
    reloader.request("SIGHUP")
    reloader.request("SIGHUP")  # coalesced with the first while it waits
    with trio.fail_after(5):
        while reloader.last is None:  # noqa: ASYNC110 — the reload runs on a worker thread
            await trio.sleep(0.01)
    assert ref.current.server == ServerSettings(name="Queued")


def test_the_loader_layers_env_like_the_start_and_keeps_a_matching_env_password(tmp_path):
    config = tmp_path / "owncast.toml"
    config.write_text('[server]\nname = "From the file"\n[[rtmp.stream_keys]]\nkey = "k-123456"\n')
    config.chmod(0o600)
    environ = {"OWNCAST_ADMIN_PASSWORD": "env-password-123", "OWNCAST_SERVER_NAME": "From env"}
    first = config_loader(
        config_path=config, data_dir=tmp_path, environ=environ, flags=ConfigFlags(),
        running=lambda: STARTED,
    )()  # fmt: skip
    assert first.server.name == "From env"  # env wins over the file, as at start
    assert first.admin.password_hash != STARTED.admin.password_hash
    assert verify_password("env-password-123", first.admin.password_hash)
    again = config_loader(
        config_path=config, data_dir=tmp_path, environ=environ, flags=ConfigFlags(),
        running=lambda: first,
    )()  # fmt: skip
    assert again.admin.password_hash == first.admin.password_hash  # no change on reload
    assert changed_keys(first, again) == []


async def test_an_admin_change_during_a_reload_is_not_undone(nursery):
    """The reload reads the file, then an admin change lands before the swap: with the editor's
    lock shared, the change waits for the reload and survives it."""
    ref = SettingsRef(STARTED)
    editor = ConfigEditor(ref, None)
    read, proceed = trio.Event(), threading.Event()

    def slow_load() -> Settings:
        settings = ref.current  # what the file said when it was read
        trio.from_thread.run_sync(read.set)
        proceed.wait(10)
        return settings

    reloader = ConfigReloader(ref, slow_load, notify=lambda _: None)
    reloader.share_config_lock(editor.lock)
    reloaded = trio.Event()

    async def reload() -> None:
        await reloader.reload("SIGHUP")
        reloaded.set()

    async def admin_change() -> None:
        await editor.apply({"server.name": "Changed by the admin"})

    with trio.fail_after(10):
        nursery.start_soon(reload)
        await read.wait()
        nursery.start_soon(admin_change)
        await trio.testing.wait_all_tasks_blocked()
        waited = ref.current.server.name == STARTED.server.name  # the change waits its turn
        proceed.set()
        await reloaded.wait()
        await trio.testing.wait_all_tasks_blocked()
    assert reloader.last is not None and reloader.last.ok
    assert ref.current.server.name == "Changed by the admin"
    assert waited
