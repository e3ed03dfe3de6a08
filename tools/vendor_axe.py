"""Fetch the pinned axe-core build from the npm registry for the browser tests (not shipped).

The sibling of ``vendor_hlsjs.py`` and built from its functions: the tarball is downloaded,
checked against its npm ``integrity`` (sha512) and only then ``package/axe.min.js`` and the
package ``LICENSE`` are written into ``tests/browser/vendor/`` (gitignored), with a stamp so a
second run with the same pin does nothing. ``tools/bootstrap.py test`` runs it; the web admin
tests inject the file into each page they check.

    python3 tools/vendor_axe.py [DEST_DIR]
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

import vendor_hlsjs as vendor  # tools/vendor_hlsjs.py, beside this script (standard library only)

AXE_VERSION = "4.10.3"
AXE_INTEGRITY = (
    "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856"
    "dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
)
DEFAULT_DEST = vendor.ROOT / "tests" / "browser" / "vendor"
JS_NAME = "axe.min.js"
STAMP_NAME = "axe.min.js.stamp.json"
_MEMBERS = {"package/axe.min.js": JS_NAME, "package/LICENSE": "axe.min.js.LICENSE.txt"}


def tarball_url(version: str = AXE_VERSION, registry: str | None = None) -> str:
    """The npm tarball URL of axe-core ``version``."""
    base = vendor.registry_url() if registry is None else registry
    return f"{base.rstrip('/')}/axe-core/-/axe-core-{version}.tgz"


def is_installed(dest_dir: Path, integrity: str = AXE_INTEGRITY) -> bool:
    """True when ``dest_dir`` holds axe.min.js written for this pin and unchanged since."""
    try:
        stamp = json.loads((dest_dir / STAMP_NAME).read_text(encoding="utf-8"))
        js = (dest_dir / JS_NAME).read_bytes()
    except (OSError, ValueError):
        return False
    return bool(stamp == vendor._stamp(AXE_VERSION, integrity, js))


def ensure_axe(
    dest_dir: Path = DEFAULT_DEST,
    *,
    integrity: str = AXE_INTEGRITY,
    url: str | None = None,
    opener: vendor.Opener | None = None,
    timeout: float = 120.0,
) -> Path:
    """Make sure ``dest_dir/axe.min.js`` is the pinned build; raises VendorError (one line).

    Nothing is written unless the download matches ``integrity``."""
    if is_installed(dest_dir, integrity):
        return dest_dir / JS_NAME
    data = vendor._download(url or tarball_url(), opener or vendor._urlopen, timeout)
    vendor.verify_integrity(data, integrity)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            files = {
                name: vendor._member_bytes(archive, member) for member, name in _MEMBERS.items()
            }
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise vendor.VendorError(f"axe-core tarball is not a readable .tgz: {exc}") from None
    dest_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        vendor._write_atomic(dest_dir / name, content)
    stamp = vendor._stamp(AXE_VERSION, integrity, files[JS_NAME])
    vendor._write_atomic(dest_dir / STAMP_NAME, (json.dumps(stamp, indent=2) + "\n").encode())
    return dest_dir / JS_NAME


def main(argv: list[str] | None = None) -> int:
    """``python3 tools/vendor_axe.py [dest]``: install axe-core, exit 1 with one line on error."""
    args = sys.argv[1:] if argv is None else argv
    dest = Path(args[0]) if args else DEFAULT_DEST
    try:
        ensure_axe(dest)
    except vendor.VendorError as exc:
        sys.stderr.write(f"error: axe-core: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
