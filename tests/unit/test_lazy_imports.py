"""Heavy libraries only some features need stay out of startup (issue 17: ready ≤ 0.7 s).

A fresh interpreter imports what `owncastd` imports before it serves, and the library must not
be loaded yet; the feature that needs it imports it on first use.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

STARTUP_MODULES = "import owncastd.cli, owncastd.daemon, owncastd.wiring"


@pytest.mark.parametrize(
    "library",
    [
        "httpx",  # webhooks: imported by the first delivery or the admin's webhook routes
        "markdown_it",  # chat: imported by the first message rendered
        "quart",  # the web app (admin, pages, API): imported after ready (http/lazy_app.py)
        "jinja2",  # flask's templates, with quart
        "prometheus_client",  # the admin's metrics: imported by the first scrape
        "psutil",  # the hardware sampler: imported on its worker thread
        "h2",  # hypercorn's server (HTTP/2 included): imported by its first connection
        "cryptography",  # federation's key and signatures: imported by their first use
    ],
)
def test_startup_does_not_import(library: str) -> None:
    code = f"import sys; {STARTUP_MODULES}; print({library!r} in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False", f"{library} is imported at startup"
