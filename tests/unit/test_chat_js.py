"""Runs the chat panel's JavaScript unit tests (tests/unit/js/*.test.mjs) with `node --test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

JS_TESTS = Path(__file__).parent / "js"
NODE = shutil.which("node")


def test_chat_protocol_helpers_pass_under_node() -> None:
    assert NODE is not None, "node is missing: bin/test installs Debian's nodejs"
    files = sorted(str(path) for path in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JavaScript tests found"
    result = subprocess.run(
        [NODE, "--test", *files], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
