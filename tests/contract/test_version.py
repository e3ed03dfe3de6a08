"""`versionNumber` is the Owncast API version owncastd implements (clients branch on it: a real
bot warns that "0.1.0" is too old); owncastd's own version is printed by `owncastd --version`
and sent as `owncastdVersion`."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from owncastd import OWNCAST_API_VERSION, VERSION
from owncastd.cli import app


def test_api_version_is_owncast_0_2_x():
    assert re.fullmatch(r"0\.2\.\d+", OWNCAST_API_VERSION)
    assert OWNCAST_API_VERSION == "0.2.4"  # openapi.yaml@86011b77, the develop spec we follow


def test_owncastd_version_prints_our_own_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"owncastd {VERSION} (Owncast API {OWNCAST_API_VERSION})"
