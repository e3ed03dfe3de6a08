"""Time from starting owncastd to its `ready http=… rtmp=…` log line.

Starts the daemon from the repo's venv N times on free ports (port 0) in one temp data dir
with a config we write: the first start creates the database (reported separately), the
others are ordinary restarts. For each: wall time from spawn to the ready line, the daemon's
own CPU-seconds at that moment (psutil, user + system; steadier than wall time on a shared
machine), and the time from its `starting` log line (interpreter up, imports done, config
read) to `ready` (database, services, listeners). Also the import cost alone: `python -X
importtime -c "import owncastd.daemon"` (the interpreter's own start not included), and
whether `hypercorn.asyncio` (the asyncio server quart imports for `app.run`, unused: we serve
with trio) got imported.

The package is byte-compiled first (`compileall` into its `__pycache__`, which git ignores), as
an installed wheel is: an editable install run with `PYTHONDONTWRITEBYTECODE=1` (as on the
development machines) compiles every owncastd module from source at every start, ~0.2 CPU-s
that a deployed daemon never pays. `--source` skips the compiling (and says so).

Prints `name=value` lines, then a summary. Goal from issue 17: ≤ 0.7 s to ready.

Run: `.venv/bin/python bench/startup.py [--runs 7]`
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _daemon import Owncastd, write_config

GOAL_SECONDS = 0.7
PASSTHROUGH = "[[video.variants]]\nvideo_passthrough = true\n"


def log_seconds(lines: list[str], marker: str) -> float:
    """The timestamp (seconds of the day) of the first log line containing `marker`."""
    for line in lines:
        match = re.match(r"\S+ (\d\d):(\d\d):(\d\d),(\d{3}) ", line)
        if match and marker in line:
            hours, minutes, seconds, millis = map(int, match.groups())
            return hours * 3600 + minutes * 60 + seconds + millis / 1000
    raise RuntimeError(f"no log line with {marker!r}")


def one_start(data_dir: Path) -> tuple[float, float, float]:
    """(wall seconds to ready, the daemon's CPU-seconds by then, seconds from its `starting`
    log line (imports done, config read) to `ready`)."""
    started = time.monotonic()
    daemon = Owncastd(data_dir)
    try:
        daemon.wait_ready()
        wall = time.monotonic() - started
        cpu = daemon.own_cpu()
    finally:
        daemon.stop()
    services = log_seconds(daemon.lines, " ready http=") - log_seconds(
        daemon.lines, "starting version="
    )
    return wall, cpu, services


def import_profile() -> tuple[float, bool]:
    """(seconds to import owncastd.daemon, whether hypercorn.asyncio was imported)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import owncastd.daemon"],
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0.0
    asyncio_server = False
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match is None:
            continue
        if not match[2]:  # a top-level import: its cumulative time counts once
            total += int(match[1]) / 1e6
        asyncio_server |= match[3] == "hypercorn.asyncio"
    return total, asyncio_server


def compile_package() -> str:
    """Byte-compile the owncastd package the daemon will import; where it is."""
    spec = importlib.util.find_spec("owncastd")
    assert spec is not None and spec.submodule_search_locations
    package = next(iter(spec.submodule_search_locations))
    compileall.compile_dir(package, quiet=1)
    return package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--source", action="store_true", help="do not byte-compile first")
    args = parser.parse_args()
    if not args.source:
        print(f"compiled={compile_package()}")
    print(f"bytecode={'source' if args.source else 'compiled'}")
    print(f"dont_write_bytecode={bool(os.environ.get('PYTHONDONTWRITEBYTECODE'))}")
    imports = [import_profile() for _ in range(3)]
    import_s = statistics.median(seconds for seconds, _ in imports)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        write_config(data_dir, latency=2, variants=PASSTHROUGH)
        first_wall, first_cpu, _ = one_start(data_dir)
        runs = [one_start(data_dir) for _ in range(args.runs)]
    walls = [wall for wall, _, _ in runs]
    cpus = [cpu for _, cpu, _ in runs]
    services = statistics.median(seconds for _, _, seconds in runs)
    print(f"first_start_wall_s={first_wall:.3f}")
    print(f"first_start_cpu_s={first_cpu:.3f}")
    print(f"ready_wall_s_median={statistics.median(walls):.3f}")
    print(f"ready_wall_s_range={min(walls):.3f}-{max(walls):.3f}")
    print(f"ready_cpu_s_median={statistics.median(cpus):.3f}")
    print(f"starting_to_ready_s_median={services:.3f}")
    print(f"import_owncastd_daemon_s_median={import_s:.3f}")
    print(f"hypercorn_asyncio_imported={imports[0][1]}")
    print(
        f"\n# owncastd ready in {statistics.median(walls):.2f} s (median of {args.runs} "
        f"restarts; {statistics.median(cpus):.2f} CPU-s), first start with a new database "
        f"{first_wall:.2f} s; from the `starting` log line to `ready` {services:.2f} s; "
        f"importing owncastd.daemon {import_s:.2f} s. "
        f"Goal <= {GOAL_SECONDS} s."
    )


if __name__ == "__main__":
    main()
