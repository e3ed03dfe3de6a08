"""A plain `owncastd` start is read without typer's parser (owncastd/cli_argv.py), into exactly
what typer would have given `main_command`; everything else still goes through typer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

import owncastd.cli as cli
from owncastd.cli_argv import FLAG_OPTIONS, VALUE_OPTIONS, plain_start

TYPER_ONLY = {"--version", "--restoreDatabase", "--help"}

PLAIN = [
    [],
    ["--data-dir", "data", "--webserverport", "0", "--rtmpport", "1935"],
    ["--config=/etc/owncast.toml", "--webserverip", "::1", "--enableVerboseLogging"],
    ["--adminpassword", "s3cret words", "--streamkey=abc", "--database", "db.sqlite"],
    ["--logdir", "logs", "--backupdir", "/var/backups/owncast", "--webserverport=08080"],
]
NOT_PLAIN = [
    ["--version"],
    ["-h"],
    ["check-config"],
    ["--data-dir", "d", "backup"],
    ["--webserverport", "0x50"],
    ["--webserverport", "+80"],
    ["--webserverport", "-1"],
    ["--webserverport", " 80"],
    ["--webserverport", "８０"],  # fullwidth digits: str.isdigit() says yes, typer decides
    ["--webserverport"],
    ["--data-dir="],
    ["--streamkey", "--rtmpport"],
    ["--rtmpport", "1", "--rtmpport", "2"],
    ["--enableVerboseLogging", "--enableVerboseLogging"],
    ["--enableVerboseLogging=true"],
    ["--unknown", "1"],
    ["--", "--data-dir", "d"],
    ["--restoreDatabase", "backup.zip"],
]


def test_the_table_matches_main_commands_options() -> None:
    command = typer.main.get_command(cli.app)
    declared = {}
    for param in command.params:
        for option in param.opts:
            declared[option] = (param.name, getattr(param, "is_flag", False))
    ours = {option: (name, False) for option, (name, _) in VALUE_OPTIONS.items()}
    ours |= {option: (name, True) for option, name in FLAG_OPTIONS.items()}
    assert {o: v for o, v in declared.items() if o not in TYPER_ONLY | {"-h"}} == ours


def _typer_call(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple:
    """What `_run` gets when typer parses `args`."""
    calls: list[tuple] = []
    monkeypatch.setattr(cli, "_run", lambda *given: calls.append(given) or 0)
    with pytest.raises(SystemExit) as stopped:
        cli.app(args, prog_name="owncastd")
    assert stopped.value.code == 0 and len(calls) == 1
    return calls[0]


def _plain_call(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple:
    """What `_run` gets through `main()` (plain start), never touching typer's parser."""
    calls: list[tuple] = []
    monkeypatch.setattr(cli, "_run", lambda *given: calls.append(given) or 7)

    def no_typer(*_args, **_kwargs):
        raise AssertionError("typer parsed a plain start")

    monkeypatch.setattr(cli, "app", no_typer)
    monkeypatch.setattr(sys, "argv", ["owncastd", *args])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 7 and len(calls) == 1  # _run's exit code comes through
    return calls[0]


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_a_plain_start_gets_what_typer_would_give(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    assert plain_start(args) is not None
    expected = _typer_call(monkeypatch, args)
    assert _plain_call(monkeypatch, args) == expected


@pytest.mark.parametrize("args", NOT_PLAIN, ids=" ".join)
def test_anything_else_goes_to_typer(args: list[str]) -> None:
    assert plain_start(args) is None


def test_values_are_typed_as_typer_types_them(monkeypatch: pytest.MonkeyPatch) -> None:
    config, data_dir, flags = _plain_call(monkeypatch, PLAIN[1])
    assert config is None and data_dir == Path("data")
    assert flags.webserverport == 0 and flags.rtmpport == 1935


def test_a_plain_start_does_not_import_pydantic() -> None:
    code = (
        "import sys, owncastd.cli as cli\n"
        "cli._run = lambda *given: 0\n"
        "sys.argv = ['owncastd', '--data-dir', 'd', '--webserverport', '0', '--rtmpport', '0']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print('pydantic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
