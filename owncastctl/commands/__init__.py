"""owncastctl's commands: one typer sub-app per group, plus the top-level commands."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from owncastctl.errors import CtlUsageError

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON (documented in --help).")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def confirm(question: str, yes: bool) -> None:
    """Ask `question` on a terminal; without one, require --yes (exit 2)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CtlUsageError(f"{question} Refusing without a terminal: pass --yes")
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)
