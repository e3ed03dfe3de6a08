"""Fetch the pinned hls.js build from the npm registry into the viewer's static directory.

Third-party code is installed, never committed: this downloads the pinned tarball, checks its
npm ``integrity`` (sha512), and extracts only ``package/dist/hls.min.js`` and the package
``LICENSE`` into ``owncastd/http/static/vendor/`` (gitignored). A stamp file records what was
written, so a second run with the same pin does nothing.

Setup code, not daemon code. Two callers:

- ``tools/bootstrap.py`` (behind ``bin/owncastd`` and ``bin/test``), for a checkout;
- ``hatch_build.py``, the build hook that puts the file into every wheel and sdist.

Both run before any dependency is installed, so this imports the standard library only.

    python3 tools/vendor_hlsjs.py [DEST_DIR]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

HLSJS_VERSION = "1.7.4"
HLSJS_INTEGRITY = (
    "sha512-3GlxGdPvT2YHvQYOt+yOzT/DEior/qJVNIylHA77kgeoBTdQQqi70"
    "GwefNEUmHQeNGyjC8U62+bruqW/Tpm+tg=="
)
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "owncastd" / "http" / "static" / "vendor"

JS_NAME = "hls.min.js"
LICENSE_NAME = "hls.min.js.LICENSE.txt"
STAMP_NAME = "hls.min.js.stamp.json"

_JS_MEMBER = "package/dist/hls.min.js"
_LICENSE_MEMBER = "package/LICENSE"
_MAX_TARBALL_BYTES = 64 * 1024 * 1024
_CHUNK = 256 * 1024

Opener = Callable[[str, float], IO[bytes]]
"""Opens a URL with a timeout in seconds and returns a readable binary response."""


class VendorError(Exception):
    """hls.js could not be fetched, verified or installed; the message is one line."""


def registry_url(env: Mapping[str, str] | None = None) -> str:
    """The npm registry base URL: ``npm_config_registry`` / ``NPM_CONFIG_REGISTRY`` or npmjs."""
    env = os.environ if env is None else env
    for key in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        value = env.get(key, "").strip()
        if value:
            return value if value.endswith("/") else value + "/"
    return DEFAULT_REGISTRY


def tarball_url(version: str = HLSJS_VERSION, registry: str | None = None) -> str:
    """The npm tarball URL of hls.js ``version`` on ``registry`` (default: from the env)."""
    base = registry_url() if registry is None else registry
    if not base.endswith("/"):
        base += "/"
    return f"{base}hls.js/-/hls.js-{version}.tgz"


def _urlopen(url: str, timeout: float) -> IO[bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "owncastd-vendor"})
    response: IO[bytes] = urllib.request.urlopen(request, timeout=timeout)
    return response


def _download(url: str, opener: Opener, timeout: float) -> bytes:
    """Read the whole body of ``url`` within ``timeout`` seconds, capped in size."""
    deadline = time.monotonic() + timeout
    try:
        with opener(url, timeout) as response:
            chunks: list[bytes] = []
            total = 0
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > _MAX_TARBALL_BYTES:
                    raise VendorError(f"hls.js tarball at {url} is larger than 64 MiB")
                if time.monotonic() > deadline:
                    raise VendorError(f"timed out after {timeout:.0f}s downloading {url}")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise VendorError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise VendorError(f"cannot reach the npm registry for {url}: {exc.reason}") from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise VendorError(f"cannot fetch {url}: {exc}") from None
    return b"".join(chunks)


def verify_integrity(data: bytes, integrity: str) -> None:
    """Raise VendorError unless ``data`` matches the npm ``sha512-<base64>`` integrity."""
    algorithm, _, expected_b64 = integrity.partition("-")
    if algorithm != "sha512" or not expected_b64:
        raise VendorError(f"unsupported integrity value {integrity!r} (expected sha512-...)")
    try:
        expected = base64.b64decode(expected_b64, validate=True)
    except ValueError:
        raise VendorError(f"malformed integrity value {integrity!r}") from None
    actual = hashlib.sha512(data).digest()
    if not hmac.compare_digest(actual, expected):
        got = "sha512-" + base64.b64encode(actual).decode()
        raise VendorError(f"integrity check failed: expected {integrity}, got {got}")


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise VendorError(f"hls.js tarball has no {name}") from None
    if not member.isfile():
        raise VendorError(f"hls.js tarball entry {name} is not a regular file")
    handle = archive.extractfile(member)
    if handle is None:
        raise VendorError(f"hls.js tarball entry {name} cannot be read")
    with handle:
        return handle.read()


def _extract(data: bytes) -> tuple[bytes, bytes]:
    """Return (hls.min.js, LICENSE) from the tarball bytes."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            return _member_bytes(archive, _JS_MEMBER), _member_bytes(archive, _LICENSE_MEMBER)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise VendorError(f"hls.js tarball is not a readable .tgz: {exc}") from None


def _write_atomic(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stamp(version: str, integrity: str, js: bytes) -> dict[str, str]:
    return {"version": version, "integrity": integrity, "sha256": hashlib.sha256(js).hexdigest()}


def is_installed(
    dest_dir: Path, version: str = HLSJS_VERSION, integrity: str = HLSJS_INTEGRITY
) -> bool:
    """True when ``dest_dir`` holds hls.min.js written for this pin and unchanged since."""
    js_path, stamp_path = dest_dir / JS_NAME, dest_dir / STAMP_NAME
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        js = js_path.read_bytes()
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp == _stamp(version, integrity, js)


def ensure_hlsjs(
    dest_dir: Path,
    *,
    version: str = HLSJS_VERSION,
    integrity: str = HLSJS_INTEGRITY,
    url: str | None = None,
    opener: Opener | None = None,
    timeout: float = 120.0,
) -> Path:
    """Make sure ``dest_dir/hls.min.js`` is the pinned hls.js build; return its path.

    A no-op when the stamp file says this exact pin is already there. Otherwise the tarball
    is downloaded (from ``url``, or the npm registry from the environment), verified against
    ``integrity`` and only then written, atomically. Raises VendorError with a one-line message.
    """
    dest_dir = Path(dest_dir)
    js_path = dest_dir / JS_NAME
    if is_installed(dest_dir, version, integrity):
        log.debug("hlsjs_present version=%s path=%s", version, js_path)
        return js_path
    source = url or tarball_url(version)
    log.info("hlsjs_fetch version=%s url=%s", version, source)
    data = _download(source, opener or _urlopen, timeout)
    verify_integrity(data, integrity)
    js, license_text = _extract(data)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(dest_dir / LICENSE_NAME, license_text)
        _write_atomic(js_path, js)
        stamp = json.dumps(_stamp(version, integrity, js), indent=2) + "\n"
        _write_atomic(dest_dir / STAMP_NAME, stamp.encode())
    except OSError as exc:
        raise VendorError(f"cannot write hls.js into {dest_dir}: {exc}") from None
    log.info("hlsjs_installed version=%s path=%s bytes=%d", version, js_path, len(js))
    return js_path


def main(argv: list[str] | None = None) -> int:
    """``python3 tools/vendor_hlsjs.py [dest]``: install hls.js, exit 1 with one line on error."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        sys.stderr.write("usage: python3 tools/vendor_hlsjs.py [DEST_DIR]\n")
        return 2
    dest = Path(args[0]) if args else DEFAULT_DEST
    if is_installed(dest):
        return 0  # nothing to do: stay quiet (this runs before every bin/owncastd start)
    try:
        path = ensure_hlsjs(dest)
    except VendorError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(f"hls.js {HLSJS_VERSION} ready at {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
