"""Hatchling build hook (``[tool.hatch.build.hooks.custom]``): every wheel and sdist of
owncastd carries the pinned hls.js.

The viewer page loads ``/static/vendor/hls.min.js``. That file is third-party code: it is never
committed, ``tools/vendor_hlsjs.py`` fetches it (pinned, sha512-checked) into
``owncastd/http/static/vendor/``, which git ignores and so hatchling's file selection skips.
This hook fetches it when it is missing or stale, then force-includes it:

- wheel: ``hls.min.js`` and its LICENSE, so an installed wheel serves a page that plays, even
  on a machine that cannot reach the npm registry;
- sdist: the same plus the stamp, so a wheel built from the sdist needs no network at all;
- editable (``pip install -e``, what ``tools/bootstrap.py`` does): only the fetch, because the
  package is then imported from the source tree.

A build that cannot get hls.js fails with one line saying why: a wheel whose viewer page cannot
play is worse than no wheel.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDOR_DIR = "owncastd/http/static/vendor"


def load_vendor_tool(root: Path) -> ModuleType:
    """Import ``tools/vendor_hlsjs.py`` from the project being built (tools/ is no package)."""
    name = "_owncastd_build_vendor_hlsjs"
    spec = importlib.util.spec_from_file_location(name, root / "tools" / "vendor_hlsjs.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load {root / 'tools' / 'vendor_hlsjs.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class HlsJsBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Fetch hls.js into the source tree and force-include it into the artifact."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        vendor = load_vendor_tool(root)
        dest = root / VENDOR_DIR
        try:
            vendor.ensure_hlsjs(dest)
        except vendor.VendorError as exc:
            raise SystemExit(f"error: cannot build owncastd without hls.js: {exc}") from None
        if version == "editable":
            return
        names = [vendor.JS_NAME, vendor.LICENSE_NAME]
        if self.target_name == "sdist":
            names.append(vendor.STAMP_NAME)
        for name in names:
            build_data["force_include"][str(dest / name)] = f"{VENDOR_DIR}/{name}"
