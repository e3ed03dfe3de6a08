"""The documented sample: it is the defaults, and every key in it is explained."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, Table

from owncastd.config.load import sample_config_text, settings_from_mapping, settings_to_mapping
from owncastd.config.schema import FIELDS
from owncastd.config.settings import (
    ExternalAction,
    PathSettings,
    Settings,
    SocialHandle,
    StreamKey,
    VideoVariant,
)

SAMPLE = Path(__file__).parents[3] / "config" / "owncast.toml"


def test_sample_text_is_the_repository_file() -> None:
    assert sample_config_text() == SAMPLE.read_text(encoding="utf-8")


def test_sample_parses_to_exactly_the_defaults() -> None:
    settings = settings_from_mapping(tomllib.loads(sample_config_text()))
    assert dataclasses.replace(settings, paths=PathSettings()) == Settings()


def test_sample_holds_every_key_with_its_default_value() -> None:
    # settings_to_mapping(Settings()) has every key of the file, so equality means no key is
    # missing, none is extra and every value is the default.
    assert tomllib.loads(sample_config_text()) == settings_to_mapping(Settings())


def test_flag_and_env_only_settings_are_not_in_the_file() -> None:
    data = tomllib.loads(sample_config_text())
    assert "data_dir" not in data["paths"]
    assert "temporary_stream_key" not in data["rtmp"]
    assert "verbose_logging" not in data
    assert data["logging"] == {"verbose": False}


def test_secrets_start_empty_and_say_they_are_generated() -> None:
    text = sample_config_text()
    lines = text.splitlines()
    for line in ('password_hash = ""', "stream_keys = []"):
        index = lines.index(line)
        above = " ".join(line.lstrip("# ") for line in lines[index - 5 : index])
        assert "first start generates" in above
        assert "prints it once" in above


def _uncommented(container: Container, prefix: str) -> list[str]:
    """Keys with neither a comment on the line above nor one beside them."""
    missing: list[str] = []
    body = container.body
    for index, (key, item) in enumerate(body):
        if key is None:
            continue
        name = prefix + key.key
        if isinstance(item, Table):
            missing += _uncommented(item.value, name + ".")
        elif isinstance(item, AoT):
            for table in item.body:
                missing += _uncommented(table.value, name + ".")
        else:
            above = index > 0 and isinstance(body[index - 1][1], Comment)
            if not (above or item.trivia.comment):
                missing.append(name)
    return missing


def test_every_key_has_a_comment_above_or_beside_it() -> None:
    doc = tomlkit.parse(sample_config_text())
    assert _uncommented(doc, "") == []


def test_the_comment_check_notices_a_bare_key() -> None:
    doc = tomlkit.parse('[web]\n# the port\nport = 1\nip = "::"\n')
    assert _uncommented(doc, "") == ["web.ip"]


def test_every_section_starts_with_a_description() -> None:
    described: dict[str, bool] = {}

    def visit(container: Container, prefix: str) -> None:
        for key, item in container.body:
            if key is None:
                continue
            path = prefix + key.key
            if isinstance(item, Table):
                if not item.is_super_table():
                    body = item.value.body
                    described[path] = bool(body) and isinstance(body[0][1], Comment)
                visit(item.value, path + ".")
            elif isinstance(item, AoT):
                described[path] = isinstance(item.body[0].value.body[0][1], Comment)

    visit(tomlkit.parse(sample_config_text()), "")
    assert {spec.section for spec in FIELDS.values()} <= described.keys()
    assert {"server.social_handles", "video.variants"} <= described.keys()
    assert [path for path, ok in described.items() if not ok] == []


def test_every_setting_names_its_owncast_setter_or_flag() -> None:
    # Each key's comment block says which admin setter or flag it corresponds to, or is part of
    # a section/array whose description does (variants, s3, notifications, paths).
    text = sample_config_text()
    for setter in (
        "admin: name",
        "admin: streamkeys",
        "admin: video/streamoutputvariants",
        "admin: chat/forbiddenusernames",
        "admin: s3",
        "admin: notifications/discord",
        "--webserverport",
        "--rtmpport",
        "--adminpassword",
        "--streamkey",
        "--database",
        "--enableVerboseLogging",
    ):
        assert setter in text


def test_settings_survive_a_trip_through_file_shape() -> None:
    settings = Settings()
    changed = dataclasses.replace(
        settings,
        server=dataclasses.replace(
            settings.server,
            name="Test",
            tags=("a",),
            social_handles=(SocialHandle("mastodon", "https://m.example/@me"),),
            external_actions=(ExternalAction("https://x.example", "Donate", icon="i.png"),),
            appearance_variables=(("--theme-color-palette-0", "#000"), ("--b", "c")),
        ),
        rtmp=dataclasses.replace(settings.rtmp, stream_keys=(StreamKey("k1", "main"),)),
        video=dataclasses.replace(
            settings.video, variants=(VideoVariant(video_passthrough=True), VideoVariant())
        ),
        verbose_logging=True,
    )
    assert settings_from_mapping(settings_to_mapping(changed)) == changed
