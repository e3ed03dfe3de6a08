"""The sandbox the systemd unit asks for, applied for real where systemd cannot run here.

`MemoryDenyWriteExecute=yes` is only in the unit because the daemon and ffmpeg work under it:
these tests run owncastd (and so the ffmpeg it starts) under the kernel's PR_SET_MDWE, the same
W^X rule (no writable+executable mappings, no gaining PROT_EXEC) that systemd applies with
seccomp or, on newer versions, with this very prctl; it is inherited across fork and exec.
The same run also applies the unit's `NoNewPrivileges=`, `SystemCallFilter=@system-service`
minus `@privileged @resources` (EPERM for the rest, built from `systemd-analyze
syscall-filter`'s own lists) and `RestrictAddressFamilies=` with a seccomp filter of our own
(tests/e2e/sandbox_exec.py).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.e2e import harness
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, Publisher, write_config

pytestmark = pytest.mark.e2e

ADMIN = ("admin", ADMIN_PASSWORD)
SANDBOX_EXEC = Path(__file__).with_name("sandbox_exec.py")
PR_SET_MDWE = 65
PR_GET_MDWE = 66
PR_MDWE_REFUSE_EXEC_GAIN = 1
WRAPPER = """#!{python}
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl({set_mdwe}, {refuse}, 0, 0, 0) != 0:
    sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
os.execv({target!r}, [{target!r}, *sys.argv[1:]])
"""


def mdwe_supported() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) >= 0


def write_wrapper(path: Path, target: str) -> Path:
    """An executable that turns MDWE on, then becomes `target` with the same arguments."""
    path.write_text(
        WRAPPER.format(
            python=sys.executable,
            set_mdwe=PR_SET_MDWE,
            refuse=PR_MDWE_REFUSE_EXEC_GAIN,
            target=target,
        )
    )
    path.chmod(0o755)
    return path


@pytest.fixture(name="mdwe")
def mdwe_fixture() -> None:
    if not mdwe_supported():
        pytest.skip(f"this kernel ({os.uname().release}) has no PR_SET_MDWE (Linux >= 6.3)")


def test_the_rule_is_really_enforced_and_inherited(mdwe, tmp_path):
    probe = (
        "import ctypes, mmap; print(ctypes.CDLL(None).prctl(66, 0, 0, 0, 0), flush=True);"
        "mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
    )
    python = write_wrapper(tmp_path / "python-mdwe", sys.executable)
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "1"  # still set after exec
    assert "PermissionError" in result.stderr  # a W+X mapping is refused


ALLOWED_FAMILIES = [socket.AF_UNIX, socket.AF_INET, socket.AF_INET6]
UNISTD = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")


def syscall_groups() -> dict[str, list[str]]:
    """systemd's syscall groups (`@name` → members, nested groups included as names)."""
    out = subprocess.run(
        ["systemd-analyze", "syscall-filter", "--no-pager"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    groups: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = line.split()[0]
            groups[current] = []
        elif line.startswith("    ") and not line.strip().startswith("#") and current:
            groups[current].append(line.strip())
        elif not line.strip():
            current = None
    return groups


def expand(name: str, groups: dict[str, list[str]]) -> set[str]:
    if not name.startswith("@"):
        return {name}
    return set().union(*(expand(member, groups) for member in groups[name]))


def unit_syscalls() -> list[int]:
    """The syscall numbers the unit's SystemCallFilter= lines allow on x86-64."""
    groups = syscall_groups()
    allowed = expand("@system-service", groups) - expand("@privileged", groups)
    allowed -= expand("@resources", groups)
    numbers = {
        match[1]: int(match[2])
        for match in re.finditer(r"^#define __NR_(\w+) (\d+)$", UNISTD.read_text(), re.M)
    }
    return sorted(numbers[name] for name in allowed if name in numbers)


@pytest.fixture(name="sandbox")
def sandbox_fixture(mdwe, tmp_path) -> Callable[[str], Path]:
    if os.uname().machine != "x86_64" or not UNISTD.is_file():
        pytest.skip("the seccomp emulation is written for x86-64 (and needs linux-libc-dev)")
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package `systemd`)")
    spec = tmp_path / "sandbox.json"
    spec.write_text(
        json.dumps({"allow": unit_syscalls(), "families": ALLOWED_FAMILIES, "mdwe": True})
    )

    def wrap(target: str) -> Path:
        wrapper = tmp_path / f"sandboxed-{Path(target).name}"
        wrapper.write_text(
            f'#!/bin/sh\nexec {sys.executable} {SANDBOX_EXEC} {spec} {target} "$@"\n'
        )
        wrapper.chmod(0o755)
        return wrapper

    return wrap


def test_the_syscall_filter_is_really_enforced(sandbox):
    python = sandbox(sys.executable)
    probe = (
        "import os, socket, errno\n"
        "try:\n    os.chown('/tmp', 0, 0)\nexcept PermissionError:\n    print('chown EPERM')\n"
        "try:\n    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\n"
        "except OSError as e:\n    print('netlink', errno.errorcode[e.errno])\n"
        "socket.socket(socket.AF_INET6).close(); print('inet6 ok')\n"
        "try:\n    os.setpriority(os.PRIO_PROCESS, 0, 5)\n"
        "except PermissionError:\n    print('setpriority EPERM')\n"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.stdout.split("\n")[:4] == [
        "chown EPERM",  # @privileged (as root!)
        "netlink EAFNOSUPPORT",  # RestrictAddressFamilies=
        "inet6 ok",
        "setpriority EPERM",  # @resources
    ], result.stderr


@contextmanager
def streaming_daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    """`harness.OWNCASTD` (as a test has wrapped it) with ffmpeg publishing: online, and a
    segment of the first variant served; stopped cleanly afterwards."""
    data = tmp_path / "data"
    write_config(data, latency=0)
    daemon = DaemonProcess(data).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        playlist = daemon.get("/hls/0/stream.m3u8")
        assert playlist.status_code == 200 and ".ts" in playlist.text
        segment = next(line for line in playlist.text.splitlines() if line.endswith(".ts"))
        assert len(daemon.get(f"/hls/0/{segment}").content) > 10_000
        yield daemon
    finally:
        publisher.stop()
        assert daemon.stop() == 0, daemon.log()


def test_owncastd_and_ffmpeg_stream_in_the_unit_s_sandbox(sandbox, tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "OWNCASTD", sandbox(str(harness.OWNCASTD)))
    with streaming_daemon(tmp_path) as daemon:
        assert daemon.get("/api/healthz").json()["status"] == "ok"
        reloaded = httpx.post(daemon.url + "/api/admin/config/reload", auth=ADMIN, timeout=10)
        assert reloaded.status_code == 200
        problems = [line for line in daemon.lines if "ERROR" in line or "Traceback" in line]
        assert problems == []


def test_owncastd_and_ffmpeg_stream_under_memory_deny_write_execute(mdwe, tmp_path, monkeypatch):
    wrapper = write_wrapper(tmp_path / "owncastd-mdwe", str(harness.OWNCASTD))
    monkeypatch.setattr(harness, "OWNCASTD", wrapper)
    with streaming_daemon(tmp_path) as daemon:
        assert "ffmpeg" not in "\n".join(
            line for line in daemon.lines if "ERROR" in line or "Traceback" in line
        )
