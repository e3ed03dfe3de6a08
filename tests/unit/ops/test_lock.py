"""The data-directory lock: one holder at a time, released by the kernel when the holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from owncastd.errors import StartupError
from owncastd.ops.lock import LOCK_FILE, DataDirLock, DataDirLockedError, holder_of

HOLD = (
    "import sys, time; from pathlib import Path; from owncastd.ops.lock import DataDirLock;"
    "DataDirLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)"
)


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path):
    with DataDirLock(tmp_path):
        assert holder_of(tmp_path) == f"pid {os.getpid()}"
        with pytest.raises(DataDirLockedError) as refused:
            DataDirLock(tmp_path, "restore").acquire()
        assert f"in use by another owncastd (pid {os.getpid()})" in str(refused.value)
        assert isinstance(refused.value, StartupError)  # the CLI prints it as one line
    assert holder_of(tmp_path) is None
    DataDirLock(tmp_path).acquire().release()


def test_no_lock_file_means_no_holder(tmp_path):
    assert holder_of(tmp_path / "fresh") is None
    assert not (tmp_path / "fresh").exists()  # asking does not create anything


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert holder_of(tmp_path) == f"pid {holder.pid}"
        with pytest.raises(DataDirLockedError):
            DataDirLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / LOCK_FILE).exists()  # the file stays, the lock does not
    assert holder_of(tmp_path) is None
    with DataDirLock(tmp_path):
        pass


def test_children_do_not_inherit_the_lock(tmp_path):
    with DataDirLock(tmp_path):
        child = subprocess.Popen(["sleep", "30"])
        assert holder_of(tmp_path) == f"pid {os.getpid()}"  # the control: while we hold it
    try:
        assert holder_of(tmp_path) is None  # a leftover child (say ffmpeg) holds nothing
    finally:
        child.kill()
        child.wait()


def test_an_unusable_data_dir_is_one_clear_startup_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(StartupError, match=r"cannot use .*not-a-dir: File exists"):
        DataDirLock(blocker).acquire()
