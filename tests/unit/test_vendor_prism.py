"""tools/vendor_prism.py: Prism for the Chatwoot stand-in tests, pinned by a lockfile whose
every package carries an npm integrity hash; reinstalled only when the lock changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.test_vendor_hlsjs import load_tool

prism = load_tool("vendor_prism")


def test_the_lock_pins_prism_and_every_package_has_an_integrity_hash() -> None:
    pins = json.loads((prism.PIN_DIR / "package.json").read_text())
    assert pins["dependencies"] == {"@stoplight/prism-cli": "5.16.0"}
    lock = json.loads((prism.PIN_DIR / "package-lock.json").read_text())
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages["node_modules/@stoplight/prism-cli"]["version"] == "5.16.0"
    assert all(p.get("integrity", "").startswith("sha512-") for p in packages.values())
    assert not any("resolved" in p for p in packages.values())  # the configured registry


def test_installed_means_this_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "node_modules" / ".bin" / "prism"
    stamp = tmp_path / ".installed-lock.sha256"
    monkeypatch.setattr(prism, "BINARY", binary)
    monkeypatch.setattr(prism, "STAMP", stamp)
    assert not prism.is_installed()
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    stamp.write_text(prism.lock_digest() + "\n")
    assert prism.is_installed()
    stamp.write_text("an older lock\n")
    assert not prism.is_installed()


def test_no_npm_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(prism, "BINARY", tmp_path / "missing")
    monkeypatch.setattr(prism.shutil, "which", lambda name: None)
    assert prism.main([]) == 1
    assert capsys.readouterr().err == "error: prism: npm is missing (Debian: apt-get install npm)\n"
