"""Logging for an appliance: journald vs timestamped stderr, secrets redacted, rotation, and a
full disk that drops log lines instead of failing."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest

from owncastd.config.settings import AdminSettings, RtmpSettings, Settings, StreamKey
from owncastd.logs import (
    ACCESS_LOGGER,
    LOG_FILE,
    RotatingTextFile,
    SafeRotatingFileHandler,
    SecretFilter,
    settings_secrets,
    setup_logging,
)

KEY = "stream-key-abcdef-123456"


@pytest.fixture(autouse=True)
def restore_root_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def record(message: str, *args, name: str = "owncastd.test") -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


def test_configured_secrets_are_replaced_wherever_they_appear():
    redact = SecretFilter(lambda: [KEY, "short"])
    entry = record("publish rejected path=live/%s peer=%s", KEY, "10.0.0.1")
    assert redact.filter(entry)
    assert entry.getMessage() == "publish rejected path=live/*** peer=10.0.0.1"
    untouched = record("a short word stays")  # values under 6 characters are not secrets
    redact.filter(untouched)
    assert untouched.getMessage() == "a short word stays"


def test_access_lines_lose_credential_query_parameters():
    redact = SecretFilter()
    line = '127.0.0.1 - - "GET /ws?accessToken=abc.def-ghi&x=1 HTTP/1.1" 101'
    entry = record(line, name=ACCESS_LOGGER)
    redact.filter(entry)
    assert entry.getMessage() == '127.0.0.1 - - "GET /ws?accessToken=***&x=1 HTTP/1.1" 101'
    ordinary = record("config set key=server.name")  # our own key=value lines stay
    redact.filter(ordinary)
    assert ordinary.getMessage() == "config set key=server.name"


def test_settings_secrets_lists_keys_and_hashes():
    settings = Settings(
        admin=AdminSettings(password_hash="$2b$04$hash"),
        rtmp=RtmpSettings(stream_keys=(StreamKey(KEY),)),
        temporary_stream_key="temporary-key-1",
    )
    assert sorted(settings_secrets(settings)) == sorted([KEY, "temporary-key-1", "$2b$04$hash"])


def test_file_and_stderr_formats(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    setup_logging(tmp_path, verbose=False, secrets=lambda: [KEY])
    logging.getLogger("owncastd.x").info("hello key=%s", KEY)
    logging.getLogger("owncastd.x").debug("not shown without verbose")
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    err = capsys.readouterr().err
    assert re.search(stamp + r" INFO owncastd.x: hello key=\*\*\*", err)
    assert "not shown" not in err
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / LOG_FILE).read_text()
    assert re.search(stamp + r" INFO owncastd.x: hello key=\*\*\*", text) and KEY not in text


def test_journald_lines_have_no_timestamp(tmp_path):
    script = (
        "import logging; from owncastd.logs import setup_logging;"
        "setup_logging(None, verbose=True); logging.getLogger('owncastd.y').debug('hi')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"JOURNAL_STREAM": "8:1234", "PATH": "/usr/bin"},
        check=True,
    )
    assert result.stderr == "DEBUG owncastd.y: hi\n"


def test_transcoder_log_rotates(tmp_path):
    path = tmp_path / "transcoder.log"
    log_file = RotatingTextFile(path, max_bytes=1000, keep=2)
    for index in range(100):
        log_file.write_line(f"frame={index:04d} " + "x" * 40)
    log_file.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["transcoder.log", "transcoder.log.1", "transcoder.log.2"]
    assert all(p.stat().st_size <= 1000 for p in tmp_path.iterdir())
    assert path.read_text().splitlines()[-1].startswith("frame=0099 ")


def test_a_full_disk_drops_lines_and_says_so_once(tmp_path, capsys):
    handler = SafeRotatingFileHandler(tmp_path / "owncast.log")
    handler.baseFilename = "/dev/full"  # every write fails with ENOSPC
    for index in range(5):
        handler.handle(record("line %d", index))
    assert handler.failing
    err = capsys.readouterr().err
    assert err.count("cannot write /dev/full") == 1 and "Traceback" not in err
    handler.baseFilename = str(tmp_path / "owncast.log")
    handler.handle(record("back"))
    handler.close()
    assert not handler.failing and "writing" in capsys.readouterr().err
    assert (tmp_path / "owncast.log").read_text() == "back\n"


def test_coredis_retries_and_reconnects_stay_out_of_the_log(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    setup_logging(tmp_path, verbose=False)
    try:
        # what coredis logs during a Redis outage: an INFO per retry, and one with exc_info
        # outside an except block (the bare "NoneType: None" line)
        logging.getLogger("coredis.retry").info("Retry attempt 3 due to error: gone")
        logging.getLogger("coredis.connection").info("Connection closed", exc_info=True)
        logging.getLogger("coredis.retry").warning("kept: a warning")
        err = capsys.readouterr().err
        assert (
            "Retry attempt" not in err and "NoneType" not in err and "Connection closed" not in err
        )
        assert "kept: a warning" in err
    finally:
        logging.getLogger("coredis").setLevel(logging.NOTSET)
