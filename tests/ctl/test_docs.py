"""The README's "Managing it from the terminal" section and the CLI's --help agree."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from owncastctl.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def command_paths() -> set[str]:
    """Every runnable command, e.g. {"status", "config set", …}."""
    root = typer.main.get_command(app)
    paths = set()
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            paths.update(f"{name} {child}" for child in sub)
        else:
            paths.add(name)
    return paths


def documented() -> list[list[str]]:
    """The words after `owncastctl` in every code span of the README's CLI section."""
    text = README.read_text()
    start = text.index("## Managing it from the terminal")
    end = text.index("\n## ", start + 1)
    spans = re.findall(r"`owncastctl ([^`]+)`", text[start:end])
    return [span.split() for span in spans if not span.startswith("-")]


def test_every_command_is_documented_and_every_documented_command_exists():
    paths = command_paths()
    groups = {p.split()[0] for p in paths if " " in p}
    mentioned = set()
    for words in documented():
        path = " ".join(words[:2]) if words[0] in groups else words[0]
        assert path in paths, f"README documents `owncastctl {' '.join(words)}`: no such command"
        mentioned.add(path)
    assert paths - mentioned == set(), "commands missing from the README"


def test_help_lists_the_same_commands():
    runner = CliRunner()
    top = runner.invoke(app, ["--help"]).stdout
    for path in command_paths():
        first = path.split()[0]
        assert re.search(rf"^\s+{re.escape(first)}\s", top, re.M), first
        if " " in path:
            sub = runner.invoke(app, [first, "--help"]).stdout
            assert re.search(rf"^\s+{re.escape(path.split()[1])}\s", sub, re.M), path
        assert runner.invoke(app, [*path.split(), "--help"]).exit_code == 0


def test_owncastctl_never_imports_the_daemon_or_trio():
    package = Path(__file__).resolve().parents[2] / "owncastctl"
    forbidden = re.compile(r"^\s*(from|import)\s+(owncastd|trio)\b", re.M)
    sources = list(package.rglob("*.py"))
    assert len(sources) > 5  # the package is really read
    assert forbidden.search("x = 1\n    from owncastd.errors import Error\n")  # and caught
    for source in sources:
        assert not forbidden.search(source.read_text()), source
