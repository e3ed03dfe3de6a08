"""The layering of DESIGN.md, checked on the import graph (ast, no imports are executed).

- `owncastd.core` is the domain: it imports only itself, `owncastd.errors` and the settings
  dataclasses, and no web framework, socket, subprocess, database or terminal library.
- The configuration (`owncastd.config`) and the support modules (errors, logs, notify…) import no
  adapter.
- An adapter (`rtmp`, `hls`, `http`, `store`, `webhooks`, `metrics`, `ops`) imports `core`, the
  configuration and itself at run time, never another adapter: it may name another adapter's
  types under `if TYPE_CHECKING:` only, so it cannot construct another adapter's services.
- `owncastd.daemon` and `owncastd.wiring` (the composition root), and `owncastd.edge` (an edge
  node's), import anything; the entry points (`cli`, `cli_ops`, `cli_edge`, `__main__`) run the
  daemon, an edge and the ops commands and import no other adapter but `hls.ffmpeg_binary` (to
  find ffmpeg before the daemon starts).
- `owncastctl` never imports `owncastd` (the HTTP API is the contract) nor trio (Textual runs on
  asyncio).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = (
    "rtmp",
    "hls",
    "http",
    "store",
    "webhooks",
    "metrics",
    "ops",
    "storage",
    "chatwoot",
    "replays",
    "federation",
    "cluster",
)
# An edge node (issue 18) is a composition of its own, beside the daemon's.
COMPOSITION = (
    "owncastd.daemon",
    "owncastd.wiring",
    "owncastd.identity_wiring",
    "owncastd.federation_wiring",
    "owncastd.cluster_wiring",
    "owncastd.edge",
)
ENTRY_POINTS = ("owncastd.cli", "owncastd.cli_ops", "owncastd.cli_edge", "owncastd.__main__")
ENTRY_ADAPTER_ALLOWED = ("owncastd.ops", "owncastd.hls.ffmpeg_binary")
CORE_ALLOWED = ("owncastd.core", "owncastd.errors", "owncastd.config.settings")
CORE_FORBIDDEN_LIBRARIES = (
    "quart", "quart_trio", "hypercorn", "werkzeug", "wsproto", "h11", "httpx", "sqlite3",
    "subprocess", "socket", "psutil", "tomlkit", "prometheus_client", "typer", "rich", "textual",
)  # fmt: skip


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether only type checkers see it."""

    importer: str
    target: str
    line: int
    type_only: bool


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(root: Path, path: Path) -> list[Import]:
    """Every import in the file, lazy ones included; `from a import b` names `a.b` when `b` is
    a module of the tree, else `a`."""
    importer = module_name(root, path)
    found: list[Import] = []

    def resolve(base: str, name: str) -> str:
        candidate = f"{base}.{name}"
        as_path = root / Path(*candidate.split("."))
        if as_path.with_suffix(".py").exists() or (as_path / "__init__.py").exists():
            return candidate
        return base

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(importer, alias.name, node.lineno, type_only))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = importer.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                found.append(Import(importer, resolve(base, alias.name), node.lineno, type_only))
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def adapter_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "owncastd" and parts[1] in ADAPTERS:
        return parts[1]
    return None


def problem(edge: Import) -> str | None:
    """Why this import breaks the layering, or None."""
    importer, target = edge.importer, edge.target
    if importer.startswith("owncastctl"):
        if within(target, "owncastd", "trio"):
            return "owncastctl talks to owncastd over HTTP only (and runs on asyncio)"
        return None
    if not importer.startswith("owncastd"):
        return None
    if within(importer, "owncastd.core"):
        if within(target, *CORE_FORBIDDEN_LIBRARIES):
            return "core uses no web framework, socket, subprocess, database or terminal library"
        if target.startswith("owncastd") and not within(target, *CORE_ALLOWED):
            return "core imports only core, errors and the settings"
        return None
    if within(importer, *COMPOSITION) or not within(target, "owncastd"):
        return None
    target_adapter = adapter_of(target)
    if within(importer, *ENTRY_POINTS):
        if target_adapter and not within(target, *ENTRY_ADAPTER_ALLOWED):
            return "entry points leave building services to the daemon"
        return None
    if within(target, *COMPOSITION, *ENTRY_POINTS):
        return "only entry points import the composition root"
    importer_adapter = adapter_of(importer)
    if target_adapter is None or target_adapter == importer_adapter:
        return None
    if importer_adapter is None:
        return "configuration and support modules import no adapter"
    if not edge.type_only:
        return (
            f"adapters do not import each other at run time ({importer_adapter} → {target_adapter})"
        )
    return None


def layering_problems(root: Path) -> list[str]:
    """Every import under `root`'s owncastd/ and owncastctl/ that breaks the layering."""
    lines = []
    for package in ("owncastd", "owncastctl"):
        for path in sorted((root / package).rglob("*.py")):
            for edge in imports_of(root, path):
                why = problem(edge)
                if why:
                    where = f"{path.relative_to(root)}:{edge.line}"
                    lines.append(f"{where} imports {edge.target}: {why}")
    return lines


def test_the_daemon_and_owncastctl_keep_the_layering() -> None:
    assert layering_problems(ROOT) == []


def test_the_check_sees_imports_everywhere() -> None:
    """A positive control: the walk finds the composition root's many adapter imports."""
    edges = imports_of(ROOT, ROOT / "owncastd" / "daemon.py")
    adapters = {adapter_of(e.target) for e in edges} - {None}
    assert {"rtmp", "hls", "http", "store", "ops"} <= adapters


def test_the_check_fails_on_a_forbidden_import(tmp_path: Path) -> None:
    """A deliberate bad import in a temporary tree is reported, one line per breach."""

    def write(relative: str, text: str = "") -> None:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    for package in ("owncastd", "owncastd/core", "owncastd/http", "owncastd/store", "owncastctl"):
        write(f"{package}/__init__.py")
    write("owncastd/store/database.py", "class Store: ...\n")
    write("owncastd/http/app.py", "import quart\n")
    write("owncastd/core/bad.py", "from owncastd.http import app\nimport sqlite3\n")
    write(
        "owncastd/http/routes.py",
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from owncastd.store.database import Store\n"
        "def build():\n    from owncastd.store.database import Store\n    return Store()\n",
    )
    write("owncastctl/client.py", "import owncastd.errors\n")
    problems = layering_problems(tmp_path)
    assert problems == [
        "owncastd/core/bad.py:1 imports owncastd.http.app: core imports only core, errors and "
        "the settings",
        "owncastd/core/bad.py:2 imports sqlite3: core uses no web framework, socket, "
        "subprocess, database or terminal library",
        "owncastd/http/routes.py:5 imports owncastd.store.database: adapters do not import "
        "each other at run time (http → store)",
        "owncastctl/client.py:1 imports owncastd.errors: owncastctl talks to owncastd over HTTP "
        "only (and runs on asyncio)",
    ]
