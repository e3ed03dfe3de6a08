"""The systemd unit: what install-service writes, what is checked in, and systemd's verdict."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from owncastd.cli import app
from owncastd.hls.ffmpeg_process import SIGINT_GRACE, STDIN_CLOSE_GRACE
from owncastd.http.transport.front_door import GRACEFUL_TIMEOUT
from owncastd.ops.unit import (
    SHUTDOWN_GRACE,
    UnitOptions,
    render_sysusers,
    render_tmpfiles,
    render_unit,
)

ROOT = Path(__file__).resolve().parents[3]
SYSTEMD = ROOT / "systemd"
OWNCASTD = Path(sys.executable).parent / "owncastd"  # the venv's console script
needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (Debian package `systemd`; bin/test installs it)",
)


def service_section(text: str) -> dict[str, list[str]]:
    """`[Service]` as key → every value (systemd allows repeated keys)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def test_the_checked_in_files_are_what_install_service_writes():
    options = UnitOptions()
    assert (SYSTEMD / "owncastd.service").read_text() == render_unit(options)
    assert (SYSTEMD / "owncastd.sysusers").read_text() == render_sysusers(options)
    assert (SYSTEMD / "owncastd.tmpfiles").read_text() == render_tmpfiles(options)


def test_the_unit_asks_for_everything_the_issue_lists():
    service = service_section(render_unit(UnitOptions()))
    expected = {
        "Type": ["notify"],
        "ExecReload": ["/bin/kill -HUP $MAINPID"],
        "Restart": ["on-failure"],
        "WatchdogSec": ["30"],
        "User": ["owncast"],
        "StateDirectory": ["owncastd"],
        "LogsDirectory": ["owncastd"],
        "ConfigurationDirectory": ["owncastd"],
        "ProtectSystem": ["strict"],
        "ProtectHome": ["yes"],
        "NoNewPrivileges": ["yes"],
        "PrivateTmp": ["yes"],
        "RestrictAddressFamilies": ["AF_INET AF_INET6 AF_UNIX"],
        "CapabilityBoundingSet": [""],
        "MemoryDenyWriteExecute": ["yes"],
    }
    for key, value in expected.items():
        assert service.get(key) == value, key
    exec_start = service["ExecStart"][0].split()
    assert exec_start[0] == "/opt/owncastd/.venv/bin/owncastd"
    assert exec_start[1:] == [
        "--data-dir", "/var/lib/owncastd",
        "--config", "/etc/owncastd/owncast.toml",
        "--logdir", "/var/log/owncastd",
    ]  # fmt: skip


def test_systemd_waits_longer_than_the_daemon_takes_to_stop():
    # ffmpeg's polite stop, the transcoder's 5 s clean-up, hypercorn's grace, the store's 10 s
    # final drain: if any of them grows, the checked-in unit must follow.
    slowest = STDIN_CLOSE_GRACE + SIGINT_GRACE + 5 + GRACEFUL_TIMEOUT + 10
    checked_in = service_section((SYSTEMD / "owncastd.service").read_text())
    assert int(checked_in["TimeoutStopSec"][0]) >= slowest + 10
    assert slowest <= SHUTDOWN_GRACE


def test_an_install_in_a_home_directory_stays_readable():
    unit = render_unit(UnitOptions(exec_path="/home/ann/venv/bin/owncastd", user="ann"))
    assert service_section(unit)["ProtectHome"] == ["read-only"]
    assert service_section(unit)["User"] == ["ann"]


def test_install_service_writes_the_unit_with_this_installation_s_paths(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "install-service",
            "--output", str(tmp_path / "svc" / "radio.service"),
            "--name", "radio",
            "--exec", "/srv/radio/.venv/bin/owncastd",
            "--sysusers", str(tmp_path / "radio.sysusers"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    unit = (tmp_path / "svc" / "radio.service").read_text()
    assert "ExecStart=/srv/radio/.venv/bin/owncastd --data-dir /var/lib/radio " in unit
    assert "StateDirectory=radio\n" in unit and "ReadWritePaths=/etc/radio\n" in unit
    assert (tmp_path / "radio.sysusers").read_text().startswith("# The owncast system user")
    stdout = runner.invoke(app, ["install-service"])
    assert stdout.exit_code == 0
    assert re.search(r"ExecStart=/\S+/owncastd --data-dir", stdout.output)


@needs_systemd
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    unit = tmp_path / "owncastd.service"
    unit.write_text(render_unit(UnitOptions(exec_path=str(OWNCASTD))))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # not even a warning


@needs_systemd
def test_systemd_analyze_verify_rejects_a_broken_unit(tmp_path):
    # The check above can fail: an unknown setting value is refused.
    unit = tmp_path / "owncastd.service"
    unit.write_text(render_unit(UnitOptions(exec_path=str(OWNCASTD))).replace("=notify", "=notif"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True
    )
    assert "notif" in result.stderr


@needs_systemd
def test_the_sandbox_exposure_is_low(tmp_path):
    unit = tmp_path / "owncastd.service"
    unit.write_text(render_unit(UnitOptions(exec_path=str(OWNCASTD))))
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    level = re.search(r"Overall exposure level for owncastd.service: ([\d.]+)", result.stdout)
    assert level, result.stdout + result.stderr
    assert float(level[1]) <= 2.0


@needs_systemd
def test_sysusers_and_tmpfiles_create_the_user_and_config_dir(tmp_path):
    if shutil.which("systemd-sysusers") is None or shutil.which("systemd-tmpfiles") is None:
        pytest.skip("systemd-sysusers/systemd-tmpfiles are not installed")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    options = UnitOptions()
    (tmp_path / "sysusers.conf").write_text(render_sysusers(options))
    (tmp_path / "tmpfiles.conf").write_text(render_tmpfiles(options))
    subprocess.run(
        ["systemd-sysusers", f"--root={root}", str(tmp_path / "sysusers.conf")],
        check=True,
        capture_output=True,
    )
    passwd = (root / "etc" / "passwd").read_text()
    user = re.search(r"^owncast:x:(\d+):(\d+):[^:]*:/var/lib/owncastd:(\S+)$", passwd, re.M)
    assert user and user[3].endswith("nologin")
    subprocess.run(
        ["systemd-tmpfiles", f"--root={root}", "--create", str(tmp_path / "tmpfiles.conf")],
        check=True,
        capture_output=True,
    )
    config_dir = (root / "etc" / "owncastd").stat()
    assert (config_dir.st_uid, config_dir.st_gid) == (int(user[1]), int(user[2]))
    assert config_dir.st_mode & 0o777 == 0o750
