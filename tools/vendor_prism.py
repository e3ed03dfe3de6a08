"""Install the pinned Prism CLI (`@stoplight/prism-cli`) for the Chatwoot stand-in tests.

`tools/prism/package.json` pins the version and `tools/prism/package-lock.json` pins every
dependency with its npm `integrity` hash; `npm ci` installs exactly that tree (verifying each
hash, running no install scripts) into `.node/prism/` (gitignored). A stamp holding the lock's
hash makes a second run with the same lock do nothing. `tools/bootstrap.py test` runs it.

    python3 tools/vendor_prism.py
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN_DIR = ROOT / "tools" / "prism"
DEST = ROOT / ".node" / "prism"
BINARY = DEST / "node_modules" / ".bin" / "prism"
STAMP = DEST / ".installed-lock.sha256"


def lock_digest() -> str:
    return hashlib.sha256((PIN_DIR / "package-lock.json").read_bytes()).hexdigest()


def is_installed() -> bool:
    """True when `.node/prism` holds the tree of the current lock."""
    return BINARY.exists() and STAMP.exists() and STAMP.read_text().strip() == lock_digest()


def main(argv: list[str]) -> int:
    if is_installed():
        return 0
    npm = shutil.which("npm")
    if npm is None:
        sys.stderr.write("error: prism: npm is missing (Debian: apt-get install npm)\n")
        return 1
    DEST.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PIN_DIR / name, DEST / name)
    print("[bootstrap] installing Prism (npm ci) into .node/prism", file=sys.stderr, flush=True)
    argv_npm = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(argv_npm, cwd=DEST, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not BINARY.exists():
        sys.stderr.write("error: prism: npm ci failed (see above)\n")
        return 1
    STAMP.write_text(lock_digest() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
