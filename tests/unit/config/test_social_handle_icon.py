"""`[[server.social_handles]] icon`: kept for platforms without a built-in icon (Owncast stores
what the admin sent); only a /path on this server or an http(s) URL is accepted."""

from __future__ import annotations

import pytest

from owncastd.config.schema import check_document, settings_from_mapping


def handles(icon: str) -> dict:
    entry = {"platform": "peertube", "url": "https://tube.example/me", "icon": icon}
    return {"server": {"social_handles": [entry]}}


@pytest.mark.parametrize("icon", ["", "/public/tube.svg", "https://tube.example/icon.png"])
def test_good_icons_load(icon):
    assert check_document(handles(icon)) == []
    assert settings_from_mapping(handles(icon)).server.social_handles[0].icon == icon


@pytest.mark.parametrize(
    "icon", ["javascript:alert(1)", "//evil.example/i.png", "data:x", "x" * 3000]
)
def test_bad_icons_are_refused(icon):
    problems = check_document(handles(icon))
    assert [where for where, _ in problems] == ["[server] social_handles[0].icon"], problems


def test_icon_is_optional():
    data = {"server": {"social_handles": [{"platform": "x", "url": "https://x.example"}]}}
    assert check_document(data) == []
    assert settings_from_mapping(data).server.social_handles[0].icon == ""
