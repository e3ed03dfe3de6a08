"""tools/vendor_axe.py: axe-core for the browser tests, pinned and sha512-checked (no network:
fake tarballs from an opener), built from vendor_hlsjs's functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_vendor_hlsjs import CountingOpener, integrity_of, load_tool, make_tarball

axe = load_tool("vendor_axe")
JS = b"/* fake axe */ window.axe = {run() {}};\n"
MEMBERS = {"package/axe.min.js": JS, "package/LICENSE": b"MPL-2.0\n", "package/axe.js": b"big"}


@pytest.fixture
def tarball(tmp_path: Path) -> tuple[Path, str]:
    data = make_tarball(MEMBERS)
    path = tmp_path / "axe-core.tgz"
    path.write_bytes(data)
    return path, integrity_of(data)


def test_a_good_tarball_installs_only_the_minified_build_once(tmp_path, tarball):
    path, integrity = tarball
    dest = tmp_path / "vendor"
    opener = CountingOpener(path)
    result = axe.ensure_axe(dest, integrity=integrity, url="file:///x.tgz", opener=opener)
    assert result == dest / "axe.min.js" and result.read_bytes() == JS
    assert sorted(p.name for p in dest.iterdir()) == [
        "axe.min.js",
        "axe.min.js.LICENSE.txt",
        "axe.min.js.stamp.json",
    ]
    axe.ensure_axe(dest, integrity=integrity, url="file:///x.tgz", opener=opener)
    assert opener.calls == 1  # the stamp matched: no second download


def test_a_tarball_that_does_not_match_the_pin_writes_nothing(tmp_path, tarball):
    path, _ = tarball
    dest = tmp_path / "vendor"
    wrong = integrity_of(b"something else")
    with pytest.raises(axe.vendor.VendorError, match="integrity check failed"):
        axe.ensure_axe(dest, integrity=wrong, url="file:///x.tgz", opener=CountingOpener(path))
    assert not dest.exists()


def test_the_pin_is_an_npm_sha512_of_a_released_version():
    assert axe.AXE_INTEGRITY.startswith("sha512-") and len(axe.AXE_INTEGRITY) == 95
    assert axe.tarball_url(registry="https://r.example/") == (
        f"https://r.example/axe-core/-/axe-core-{axe.AXE_VERSION}.tgz"
    )
