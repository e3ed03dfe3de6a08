"""The pinned hls.js fetcher tools/vendor_hlsjs.py (no network: fake tarballs served from
file:// URLs) and the viewer page's promise to reference only local URLs."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
import sys
import tarfile
import urllib.error
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import IO

import pytest

import owncastd.http

ROOT = Path(__file__).resolve().parents[2]


def load_tool(name: str) -> ModuleType:
    """Import tools/NAME.py (setup scripts, not a package) under its own name."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


vendor = load_tool("vendor_hlsjs")
VendorError = vendor.VendorError
ensure_hlsjs = vendor.ensure_hlsjs

STATIC = Path(owncastd.http.__file__).resolve().parent / "static"
JS = b"/* fake hls.js */ window.Hls = function () {};\n"
LICENSE = b"Copyright (c) fake hls.js authors\n"


def make_tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


GOOD_MEMBERS = {
    "package/package.json": b'{"name": "hls.js", "version": "9.9.9"}',
    "package/LICENSE": LICENSE,
    "package/dist/hls.js": b"/* the big unminified build */",
    "package/dist/hls.min.js": JS,
    "package/dist/hls.min.js.map": b"{}",
}


@pytest.fixture
def tarball(tmp_path: Path) -> tuple[Path, str]:
    """A fake hls.js tarball laid out like a registry: <root>/hls.js/-/hls.js-9.9.9.tgz."""
    data = make_tarball(GOOD_MEMBERS)
    path = tmp_path / "registry" / "hls.js" / "-" / "hls.js-9.9.9.tgz"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path, integrity_of(data)


class CountingOpener:
    """An opener that serves one file and counts how often it was asked."""

    def __init__(self, path: Path | None = None, error: Exception | None = None) -> None:
        self.path, self.error, self.calls = path, error, 0

    def __call__(self, url: str, timeout: float) -> IO[bytes]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        assert self.path is not None
        return io.BytesIO(self.path.read_bytes())


def test_good_integrity_extracts_only_the_minified_build(tmp_path, tarball):
    path, integrity = tarball
    dest = tmp_path / "static" / "vendor"

    result = ensure_hlsjs(dest, version="9.9.9", integrity=integrity, url=path.as_uri())

    assert result == dest / "hls.min.js"
    assert result.read_bytes() == JS
    assert (dest / vendor.LICENSE_NAME).read_bytes() == LICENSE
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        ["hls.min.js", vendor.LICENSE_NAME, vendor.STAMP_NAME]
    )
    stamp = json.loads((dest / vendor.STAMP_NAME).read_text())
    assert stamp["version"] == "9.9.9"
    assert stamp["integrity"] == integrity
    assert vendor.is_installed(dest, "9.9.9", integrity)


def test_bad_integrity_is_a_clear_error_and_writes_nothing(tmp_path, tarball):
    path, _ = tarball
    dest = tmp_path / "vendor"
    wrong = integrity_of(b"something else")

    with pytest.raises(VendorError) as caught:
        ensure_hlsjs(dest, version="9.9.9", integrity=wrong, url=path.as_uri())

    message = str(caught.value)
    assert "integrity check failed" in message
    assert "\n" not in message
    assert not dest.exists() or list(dest.iterdir()) == []


def test_bad_integrity_leaves_a_previous_install_untouched(tmp_path, tarball):
    path, integrity = tarball
    dest = tmp_path / "vendor"
    ensure_hlsjs(dest, version="9.9.9", integrity=integrity, url=path.as_uri())
    before = {p.name: p.read_bytes() for p in dest.iterdir()}

    with pytest.raises(VendorError):
        ensure_hlsjs(dest, version="10.0.0", integrity=integrity_of(b"x"), url=path.as_uri())

    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before


def test_present_with_matching_stamp_downloads_nothing(tmp_path, tarball):
    path, integrity = tarball
    dest = tmp_path / "vendor"
    first = CountingOpener(path)
    ensure_hlsjs(dest, version="9.9.9", integrity=integrity, opener=first)
    assert first.calls == 1

    second = CountingOpener(error=AssertionError("must not download"))
    result = ensure_hlsjs(dest, version="9.9.9", integrity=integrity, opener=second)

    assert second.calls == 0
    assert result.read_bytes() == JS


def test_new_pin_or_edited_file_triggers_a_fresh_download(tmp_path, tarball):
    path, integrity = tarball
    dest = tmp_path / "vendor"
    ensure_hlsjs(dest, version="9.9.9", integrity=integrity, url=path.as_uri())

    (dest / "hls.min.js").write_bytes(b"tampered")
    opener = CountingOpener(path)
    ensure_hlsjs(dest, version="9.9.9", integrity=integrity, opener=opener)
    assert opener.calls == 1
    assert (dest / "hls.min.js").read_bytes() == JS

    assert not vendor.is_installed(dest, "9.9.10", integrity)


def test_registry_from_environment(tmp_path, tarball, monkeypatch):
    path, integrity = tarball
    registry = path.parents[2].as_uri()  # file:///…/registry
    monkeypatch.delenv("NPM_CONFIG_REGISTRY", raising=False)
    monkeypatch.setenv("npm_config_registry", registry)

    assert vendor.tarball_url("9.9.9") == f"{registry}/hls.js/-/hls.js-9.9.9.tgz"
    result = ensure_hlsjs(tmp_path / "vendor", version="9.9.9", integrity=integrity)
    assert result.read_bytes() == JS


def test_registry_url_defaults_and_upper_case_variable():
    assert vendor.registry_url({}) == "https://registry.npmjs.org/"
    assert vendor.registry_url({"NPM_CONFIG_REGISTRY": "http://mirror:4873"}) == (
        "http://mirror:4873/"
    )
    assert vendor.tarball_url("1.2.3", "http://mirror:4873") == (
        "http://mirror:4873/hls.js/-/hls.js-1.2.3.tgz"
    )


def test_unreachable_registry_is_one_line(tmp_path):
    opener = CountingOpener(error=urllib.error.URLError("[Errno 111] Connection refused"))
    with pytest.raises(VendorError) as caught:
        ensure_hlsjs(tmp_path / "vendor", url="http://registry.invalid/x.tgz", opener=opener)
    assert "cannot reach the npm registry" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "vendor").exists()


def test_tarball_without_the_build_is_rejected(tmp_path):
    data = make_tarball({"package/LICENSE": LICENSE})
    path = tmp_path / "broken.tgz"
    path.write_bytes(data)
    with pytest.raises(VendorError, match=r"no package/dist/hls\.min\.js"):
        ensure_hlsjs(tmp_path / "v", integrity=integrity_of(data), url=path.as_uri())


def test_cli_reports_errors_in_one_line_without_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("npm_config_registry", (tmp_path / "no-such-registry").as_uri())
    assert vendor.main([str(tmp_path / "vendor")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_pinned_integrity_is_a_sha512():
    algorithm, _, digest = vendor.HLSJS_INTEGRITY.partition("-")
    assert algorithm == "sha512"
    assert len(base64.b64decode(digest, validate=True)) == 64
    assert re.fullmatch(r"1\.\d+\.\d+", vendor.HLSJS_VERSION)


# --- the page references only local URLs --------------------------------------------------


class UrlCollector(HTMLParser):
    URL_ATTRS = {"src", "href", "action", "poster", "data", "formaction"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in self.URL_ATTRS and v is not None]


def is_external(url: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


@pytest.mark.parametrize("page", ["index.html", "embed-video.html"])
def test_pages_reference_only_local_urls(page):
    collector = UrlCollector()
    collector.feed((STATIC / page).read_text(encoding="utf-8"))

    assert collector.urls, "the parser found no URLs at all"
    external = [u for u in collector.urls if is_external(u)]
    assert external == []
    for url in collector.urls:
        if url.startswith("/static/"):
            assert (STATIC / url.removeprefix("/static/")).is_file(), url


def test_scripts_and_styles_load_nothing_from_other_hosts():
    for path in [*STATIC.glob("*.js"), *STATIC.glob("*.css")]:
        text = path.read_text(encoding="utf-8")
        imports = re.findall(r"""^\s*import\b[^'"]*['"]([^'"]+)['"]""", text, re.MULTILINE)
        for spec in imports:
            assert spec.startswith("./"), f"{path.name} imports {spec}"
            assert (STATIC / spec).is_file(), f"{path.name} imports missing {spec}"
        for url in re.findall(r"""url\(\s*['"]?([^'")]+)""", text):
            assert not is_external(url), f"{path.name} uses {url}"
            assert (STATIC / url).is_file(), f"{path.name} uses missing {url}"
        assert not re.search(r"""(?:fetch|src\s*[:=])\s*\(?\s*['"`]https?://""", text), path.name


def test_player_loads_hlsjs_where_the_vendor_script_puts_it():
    player = (STATIC / "player.js").read_text(encoding="utf-8")
    match = re.search(r"HLSJS_URL = '([^']+)'", player)
    assert match is not None
    assert match.group(1) == f"/static/{vendor.DEFAULT_DEST.name}/{vendor.JS_NAME}"
    assert vendor.DEFAULT_DEST.parent == STATIC
