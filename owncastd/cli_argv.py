"""The daemon's plain start read without typer's parser (issue 17: ready ≤ 0.7 s).

typer (0.29) builds a pydantic `TypeAdapter` for every option with a value it parses, which
imports pydantic: ~0.12 CPU-s of every `owncastd --data-dir D --webserverport 0` start, more
than all of the daemon's own parsing. The common start (no command, only the daemon's own
options, each at most once, as `--name value` or `--name=value`) is read here into the same
keyword arguments typer would give `main_command`; anything else (help, `--version`, a command,
an unknown or repeated option, a value typer might read differently: a port that is not plain
digits, an empty value or one starting with `-`) returns None and typer parses it as before.
`tests/unit/test_cli_argv.py` checks that this table matches `main_command`'s options and that
both parsers agree.
"""

from __future__ import annotations

from pathlib import Path

# option → (main_command's parameter, kind): "path", "int" or "str".
VALUE_OPTIONS: dict[str, tuple[str, str]] = {
    "--config": ("config", "path"),
    "--data-dir": ("data_dir", "path"),
    "--webserverport": ("webserverport", "int"),
    "--webserverip": ("webserverip", "str"),
    "--rtmpport": ("rtmpport", "int"),
    "--adminpassword": ("adminpassword", "str"),
    "--streamkey": ("streamkey", "str"),
    "--database": ("database", "path"),
    "--logdir": ("logdir", "path"),
    "--backupdir": ("backupdir", "path"),
}
FLAG_OPTIONS: dict[str, str] = {"--enableVerboseLogging": "verbose"}


def _value(kind: str, text: str) -> object | None:
    """`text` as typer would convert it, or None when only typer should decide."""
    if not text or text.startswith("-"):
        return None
    if kind == "int":
        return int(text) if text.isascii() and text.isdigit() else None
    return Path(text) if kind == "path" else text


def plain_start(args: list[str]) -> dict[str, object] | None:
    """`main_command`'s keyword arguments for a plain daemon start, or None (typer parses)."""
    found: dict[str, object] = {}
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        value: object | None
        if arg in FLAG_OPTIONS:
            name, value = FLAG_OPTIONS[arg], True
        else:
            option, equals, text = arg.partition("=")
            if option not in VALUE_OPTIONS:
                return None
            if not equals:
                if position >= len(args):
                    return None
                text = args[position]
                position += 1
            name, kind = VALUE_OPTIONS[option]
            value = _value(kind, text)
            if value is None:
                return None
        if name in found:
            return None
        found[name] = value
    return found
