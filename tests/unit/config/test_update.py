"""update_config: in-place tomlkit edits that keep comments, validated, written atomically."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from owncastd.config.load import (
    ConfigFlags,
    load_config,
    sample_config_text,
    update_config,
)
from owncastd.config.settings import ExternalAction, Settings, SocialHandle, StreamKey, VideoVariant
from owncastd.errors import ConfigError


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "owncast.toml"
    path.write_text(sample_config_text(), encoding="utf-8")
    path.chmod(0o600)
    return path


def _load(path: Path) -> Settings:
    return load_config(
        config_path=path, data_dir=path.parent, environ={}, flags=ConfigFlags()
    ).settings


def _leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_only_the_changed_lines_change(sample: Path) -> None:
    before = sample.read_text(encoding="utf-8")
    update_config(
        sample, {"server.name": "My Stream", "video.latency_level": 3, "chat.disabled": True}
    )
    expected = (
        before.replace('name = "New Owncast Server"', 'name = "My Stream"', 1)
        .replace("latency_level = 2", "latency_level = 3", 1)
        .replace("disabled = false", "disabled = true", 1)
    )
    assert sample.read_text(encoding="utf-8") == expected


def test_a_comment_beside_a_value_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "owncast.toml"
    path.write_text("[web]\nport = 8080  # the web port\n\n[rtmp]\nport = 1935\n", encoding="utf-8")
    update_config(path, {"web.port": 8081})
    assert path.read_text(encoding="utf-8") == (
        "[web]\nport = 8081  # the web port\n\n[rtmp]\nport = 1935\n"
    )


def test_settings_shaped_values_are_accepted_and_read_back(sample: Path) -> None:
    update_config(
        sample,
        {
            "server.tags": ("music", "live"),
            "server.social_handles": (SocialHandle("mastodon", "https://m.example/@me"),),
            "server.external_actions": [ExternalAction("https://x.example", "Donate")],
            "server.appearance_variables": (("--theme-color-palette-0", "#112233"),),
            "rtmp.stream_keys": (StreamKey("k1", "main"), {"key": "k2", "comment": ""}),
            "video.variants": (VideoVariant(framerate=30), VideoVariant(scaled_height=360)),
            "server.extra_page_content": '# Hi\n\nSecond paragraph with """ quotes',
            "s3": {
                "enabled": True,
                "endpoint": "https://s3.example",
                "access_key": "id",
                "secret": "s",
                "bucket": "b",
                "region": "r",
            },
        },
    )
    settings = _load(sample)
    assert settings.server.tags == ("music", "live")
    assert settings.server.social_handles == (SocialHandle("mastodon", "https://m.example/@me"),)
    assert settings.server.external_actions == (ExternalAction("https://x.example", "Donate"),)
    assert settings.server.appearance_variables == (("--theme-color-palette-0", "#112233"),)
    assert settings.rtmp.stream_keys == (StreamKey("k1", "main"), StreamKey("k2"))
    assert settings.video.variants == (
        VideoVariant(framerate=30),
        VideoVariant(scaled_height=360),
    )
    assert settings.server.extra_page_content == '# Hi\n\nSecond paragraph with """ quotes'
    assert settings.s3.enabled and settings.s3.bucket == "b"


def test_variant_edits_keep_the_first_tables_comments_and_layout(sample: Path) -> None:
    before = sample.read_text(encoding="utf-8")
    update_config(sample, {"video.variants": [VideoVariant(), VideoVariant(name="low")]})
    grown = sample.read_text(encoding="utf-8")
    assert grown.splitlines().count("[[video.variants]]") == 2
    assert "# Frames per second, 1..120." in grown
    assert '\ncpu_usage_level = 2\n\n[[video.variants]]\nname = "low"\n' in grown
    assert "\ncpu_usage_level = 2\n\n[chat]\n# Chat rules." in grown
    # back to one variant: byte-identical to the start
    update_config(sample, {"video.variants": [VideoVariant()]})
    assert sample.read_text(encoding="utf-8") == before


def test_an_emptied_array_of_tables_stays_empty(sample: Path) -> None:
    update_config(sample, {"server.social_handles": []})
    assert tomllib.loads(sample.read_text(encoding="utf-8"))["server"]["social_handles"] == []
    assert _load(sample).server.social_handles == ()


def test_new_keys_go_after_the_sections_plain_keys(tmp_path: Path) -> None:
    path = tmp_path / "owncast.toml"
    path.write_text(
        '[server]\nname = "x"\n# about the web section\n\n[web]\nport = 8081\n', encoding="utf-8"
    )
    update_config(path, {"server.summary": "S", "notifications.discord.enabled": False})
    assert path.read_text(encoding="utf-8") == (
        '[server]\nname = "x"\nsummary = "S"\n# about the web section\n\n[web]\nport = 8081\n'
        "\n[notifications.discord]\nenabled = false\n"
    )


def test_a_section_split_across_the_file_is_edited_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "owncast.toml"
    path.write_text(
        '[server]\nname = "a"\n\n[web]\nport = 8080\n\n'
        '[server.appearance_variables]\n"--x" = "y"\n',
        encoding="utf-8",
    )
    update_config(path, {"server.summary": "S", "server.appearance_variables": {"--x": "z"}})
    assert path.read_text(encoding="utf-8") == (
        '[server]\nname = "a"\nsummary = "S"\n\n[web]\nport = 8080\n\n'
        '[server.appearance_variables]\n"--x" = "z"\n'
    )


def test_appearance_variables_go_under_their_description(sample: Path) -> None:
    update_config(sample, {"server.appearance_variables": {"--theme-color-palette-0": "#000"}})
    text = sample.read_text(encoding="utf-8")
    assert 'admin: appearance\n--theme-color-palette-0 = "#000"\n\n[admin]' in text


INVALID = [
    ({"web.port": -1}, "owncast.toml: [web] port: must be 0..65535 (got -1)"),
    ({"video.variants": []}, "owncast.toml: [video] variants: must have at least one variant"),
    ({"server.url": "nope"}, 'owncast.toml: [server] url: must be an http(s) URL (got "nope")'),
    ({"chat.disabled": "yes"}, 'owncast.toml: [chat] disabled: must be true or false (got "yes")'),
    (
        {"rtmp.stream_keys": [{"key": "a"}, {"key": "a"}]},
        "owncast.toml: [rtmp] stream_keys: entries 0 and 1 have the same key",
    ),
    (
        {"server.nmae": "x"},
        'owncast.toml: server.nmae: unknown setting (did you mean "server.name"?)',
    ),
    ({"s3.enabled": True}, "owncast.toml: [s3] endpoint: required when s3 is enabled"),
]


@pytest.mark.parametrize(("changes", "problem"), INVALID)
def test_an_invalid_change_leaves_the_file_byte_identical(
    sample: Path, changes: dict[str, object], problem: str
) -> None:
    before = sample.read_bytes()
    with pytest.raises(ConfigError) as caught:
        update_config(sample, {"server.name": "valid change too", **changes})
    assert caught.value.problems[0] == problem
    assert sample.read_bytes() == before
    assert _leftovers(sample) == []


def test_an_already_invalid_file_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "owncast.toml"
    path.write_text("[web\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        update_config(path, {"server.name": "x"})
    assert caught.value.problems[0].startswith("owncast.toml: line 1, column ")
    assert path.read_text(encoding="utf-8") == "[web\n"


def test_the_write_is_atomic_and_private(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample.chmod(0o644)
    inode = sample.stat().st_ino
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        assert Path(src).parent == sample.parent  # temp file in the same directory
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    update_config(sample, {"server.name": "Atomic"})
    assert events == ["fsync-file", "replace", "fsync-dir"]
    assert sample.stat().st_ino != inode  # a new file was renamed over the old one
    assert sample.stat().st_mode & 0o777 == 0o600
    assert _leftovers(sample) == []


def test_a_failed_write_keeps_the_old_file(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sample.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        update_config(sample, {"server.name": "never"})
    assert sample.read_bytes() == before
    assert _leftovers(sample) == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(max_size=255), content=st.text(max_size=400))
@example(name="crlf", content="\r\n")  # a multi-line TOML string would read back as "\n"
def test_any_text_round_trips(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / "owncast.toml"
    path.write_text(sample_config_text(), encoding="utf-8")
    update_config(path, {"server.name": name, "server.extra_page_content": content})
    settings_ = _load(path)
    assert settings_.server.name == name
    assert settings_.server.extra_page_content == content
