"""Startup cost guard: the daemon never imports hypercorn's asyncio server (issue 17).

quart imports `hypercorn.asyncio` for `app.run`, which owncastd never calls (it serves through
trio); `owncastd.http` keeps it out while quart is imported. Run in a fresh interpreter, since
this test process may have imported anything already.
"""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import owncastd.daemon
assert "quart.app" in sys.modules
print("hypercorn.asyncio" in sys.modules)
import hypercorn.asyncio
import quart.app
print(hypercorn.asyncio.serve.__module__, quart.app.serve.__module__)
"""


def test_importing_the_daemon_leaves_out_hypercorn_asyncio() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=60
    )
    imported, modules = result.stdout.splitlines()
    assert imported == "False"
    # A later, explicit import still gets the real module; quart's `serve` defers to it.
    assert modules == "hypercorn.asyncio owncastd.http.asyncio_server_stub"
