"""The settings table is the one source: every key of the file has exactly one entry, and the
entries' facts (checks, secrets, setters) are what the loader, the sample and env use."""

from __future__ import annotations

import pytest

from owncastd.config import table
from owncastd.config.env import ENV_FIELDS
from owncastd.config.load import sample_config_text
from owncastd.config.schema import FIELDS, FieldSpec, check_field


def file_keys() -> set[str]:
    keys = set()
    for spec in FIELDS.values():
        keys.add(spec.dotted)
        keys.update(sub.dotted for sub in spec.items)
    return keys


def test_every_key_of_the_file_has_exactly_one_entry() -> None:
    paths = [s.path for s in table.TABLE]
    assert len(paths) == len(set(paths))
    assert set(paths) == file_keys()


def test_every_setter_has_a_summary_and_one_applies() -> None:
    grouped = table.setters()
    assert set(grouped) == set(table.SETTER_SUMMARIES)
    for name, keys in grouped.items():
        assert len({k.applies for k in keys}) == 1, name
        assert len({k.feature for k in keys}) == 1, name
        assert all(k.body is not None for k in keys), name
        fields = [k.field for k in keys]
        assert fields == [""] or all(fields), name  # a whole value, or an object of fields


def test_the_sample_names_every_setter() -> None:
    text = sample_config_text()
    missing = [name for name in table.setters() if f"admin: {name}" not in text]
    assert missing == []


def test_checks_and_secrets_come_from_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    spec: FieldSpec = FIELDS["video.latency_level"]
    assert check_field(spec, 9) == [("latency_level", "must be 0..4 (got 9)")]
    entry = table.BY_PATH["video.latency_level"]
    monkeypatch.setitem(table.BY_PATH, entry.path, table.Setting(entry.path, entry.doc))
    assert check_field(spec, 9) == []  # the check is the table's, not a copy elsewhere
    assert FIELDS["s3.secret"].secret and FIELDS["notifications.discord.webhook"].secret
    assert not FIELDS["s3.access_key"].secret


def test_env_names_cover_every_plain_key() -> None:
    plain = {p for p, s in FIELDS.items() if s.kind in ("str", "int", "bool", "str_list")}
    assert {spec.dotted for spec in ENV_FIELDS.values()} == plain


def test_check_config_redacts_what_the_table_marks_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from owncastd.config.render import render_effective
    from owncastd.config.settings import Settings

    settings = Settings()
    settings = dataclasses.replace(settings, s3=dataclasses.replace(settings.s3, secret="s3-pw"))
    assert "s3-pw" not in render_effective(settings)
    entry = table.BY_PATH["s3.secret"]
    monkeypatch.setitem(table.BY_PATH, entry.path, dataclasses.replace(entry, secret=False))
    assert 'secret = "s3-pw"' in render_effective(settings)
