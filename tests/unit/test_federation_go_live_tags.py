"""The go-live Note's `tag` array: the stripped server tags in order, then `#owncast`, each
name once (compared case-insensitively)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from owncastd.core.federation.notes import go_live_note
from tests.component.app_fixtures import default_settings


def _note_tags(tags: tuple[str, ...]) -> list[str]:
    settings = default_settings()
    server = dataclasses.replace(settings.server, url="https://live.example", tags=tags)
    _, note = go_live_note(dataclasses.replace(settings, server=server), datetime.now(UTC))
    return [tag["name"] for tag in note["tag"]]


def test_owncast_is_listed_once_whatever_its_case() -> None:
    assert _note_tags(("music", "owncast", "games")) == ["#music", "#owncast", "#games"]
    assert _note_tags(("Owncast", "music")) == ["#Owncast", "#music"]
    assert _note_tags(("music", "Music", "#music!")) == ["#music", "#owncast"]
    assert _note_tags(("music",)) == ["#music", "#owncast"]
    assert _note_tags(("!!",)) == ["#owncast"]
