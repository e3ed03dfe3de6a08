"""login/logout, where the URL and password come from, credential storage, exit codes."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest

from owncastctl.connection import connect_host, find_local_daemon, url_from_config
from owncastctl.credentials import CredentialStore, usable_keyring
from owncastctl.state import State
from tests.ctl.conftest import PASSWORD, URL


class MemoryKeyring:
    """A keyring backend good enough for owncastctl (priority 5)."""

    priority = 5
    name = "MemoryKeyring"

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plaintext backend: must never be used."""


class FailKeyring(MemoryKeyring):
    priority = 0


def credentials(tmp_path):
    return tmp_path / "config" / "owncastctl" / "credentials.json"


def test_login_without_keyring_uses_a_0600_file(ctl, tmp_path):
    result = ctl("login", URL, env={"OWNCAST_URL": "<unset>"})
    assert result.exit_code == 0, result.stderr
    path = credentials(tmp_path)
    assert f"password stored in {path} (mode 0600)" in " ".join(result.stdout.split())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    data = json.loads(path.read_text())
    assert data["default"] == URL and data["servers"][URL] == {
        "store": "file",
        "password": PASSWORD,
    }


def test_login_with_a_real_keyring_keeps_the_password_out_of_the_file(ctl, tmp_path):
    keyring = MemoryKeyring()
    result = ctl("login", URL, keyring=keyring)
    assert "system keyring (MemoryKeyring)" in result.stdout
    assert keyring.items == {("owncastctl", URL): PASSWORD}
    assert PASSWORD not in credentials(tmp_path).read_text()
    # later commands find the password in the keyring, with no env var
    result = ctl(
        "status",
        "--json",
        keyring=keyring,
        env={"OWNCAST_URL": "<unset>", "OWNCAST_ADMIN_PASSWORD": "<unset>"},
    )
    assert result.exit_code == 0, result.stderr
    assert ctl("logout", keyring=keyring, env={"OWNCAST_URL": "<unset>"}).exit_code == 0
    assert keyring.items == {}


@pytest.mark.parametrize("backend", [FailKeyring(), PlaintextKeyring(), None])
def test_weak_keyrings_are_not_used(backend):
    assert not usable_keyring(backend)
    assert usable_keyring(MemoryKeyring())


def test_login_prompts_without_echo_and_rejects_a_wrong_password(fake, ctl, tmp_path):
    result = ctl("login", URL, input="wrong-password\n", password=None)
    assert result.exit_code == 1
    assert "refused the admin password (401)" in result.stderr
    assert not credentials(tmp_path).exists()
    result = ctl("login", URL, input=f"{PASSWORD}\n", password=None)
    assert result.exit_code == 0
    assert PASSWORD not in result.stdout


def test_a_refused_login_says_nothing_was_stored_and_where_the_password_came_from(ctl, tmp_path):
    result = ctl("login", URL, input="wrong-password\n", password=None)
    assert result.exit_code == 1
    assert "nothing was stored" in result.stderr and "try again" in result.stderr
    assert "OWNCAST_ADMIN_PASSWORD" not in result.stderr  # it was typed, not from the env
    result = ctl("login", URL, password="wrong-password")
    assert result.exit_code == 1
    assert "refused the admin password (401)" in result.stderr
    assert "it came from OWNCAST_ADMIN_PASSWORD" in result.stderr
    assert not credentials(tmp_path).exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080:99", "is not valid"),
        ("http://127.0.0.1:99999", "is not valid"),
        ("http://:8080", "has no host"),
    ],
)
def test_a_malformed_url_is_a_usage_error_not_an_unexpected_one(ctl, url, message):
    result = ctl("--url", url, "status")
    assert result.exit_code == 2
    assert message in result.stderr and "unexpected error" not in result.stderr


def test_login_store_keyring_without_one_is_a_usage_error(ctl):
    result = ctl("login", URL, "--store", "keyring")
    assert result.exit_code == 2 and "no usable system keyring" in result.stderr


def test_stored_login_is_used_when_no_env(fake, ctl, tmp_path):
    ctl("login", URL)
    result = ctl(
        "status", "--json", env={"OWNCAST_URL": "<unset>", "OWNCAST_ADMIN_PASSWORD": "<unset>"}
    )
    assert result.exit_code == 0, result.stderr
    assert fake.requests[-1].url.host == "owncast.test"


def test_env_and_flags_override_the_login(fake, ctl, tmp_path):
    ctl("login", URL)
    pwfile = tmp_path / "pw"
    pwfile.write_text("from-the-file\n")
    fake.password = "from-the-file"
    result = ctl("--url", "other.test:9000", "--password-file", str(pwfile), "status", "--json")
    assert result.exit_code == 0, result.stderr
    assert fake.requests[-1].url.host == "other.test" and fake.requests[-1].url.port == 9000
    fake.password = "from-env"
    assert ctl("status", "--json", password="from-env").exit_code == 0


def test_no_password_asks_for_login(ctl):
    result = ctl("status", password=None)
    assert result.exit_code == 2
    assert f"no admin password for {URL}: run `owncastctl login {URL}`" in result.stderr


def test_local_daemon_found_from_its_config(fake, ctl, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "owncast.toml").write_text('[web]\nip = "0.0.0.0"\nport = 8099\n')
    result = ctl("status", "--json", env={"OWNCAST_URL": "<unset>"})
    assert result.exit_code == 0, result.stderr
    assert str(fake.requests[-1].url).startswith("http://127.0.0.1:8099/")


def test_local_config_discovery(tmp_path):
    custom = tmp_path / "elsewhere"
    custom.mkdir()
    (custom / "owncast.toml").write_text('[web]\nip = "::"\nport = 9001\n')
    env = {"OWNCAST_DATA_DIR": str(custom)}
    assert find_local_daemon(env, tmp_path) == ("http://[::1]:9001", custom / "owncast.toml")
    (custom / "owncast.toml").write_text("[web]\nport = 0\n")  # a random port cannot be found
    assert url_from_config(custom / "owncast.toml", {}) is None
    (custom / "owncast.toml").write_text("not toml [")
    assert url_from_config(custom / "owncast.toml", {}) is None
    assert url_from_config(custom / "missing.toml", {}) is None
    assert connect_host("192.0.2.1") == "192.0.2.1" and connect_host("::1") == "[::1]"


def test_unreachable_daemon_is_exit_3_naming_the_url(tmp_path):
    from typer.testing import CliRunner

    from owncastctl.cli import app

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    state = State(
        environ={"XDG_CONFIG_HOME": str(tmp_path), "OWNCAST_ADMIN_PASSWORD": "x"},
        transport=httpx.MockTransport(refuse),
        keyring_backend=None,
        cwd=tmp_path,
    )
    result = CliRunner().invoke(app, ["--url", "http://10.9.8.7:8080", "status"], obj=state)
    assert result.exit_code == 3
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "cannot reach owncastd at http://10.9.8.7:8080 (from --url)" in line
    assert "--url, OWNCAST_URL or `owncastctl login URL`" in line


def test_wrong_password_is_exit_1_with_a_hint(fake, ctl):
    result = ctl("status", password="not-it")
    assert result.exit_code == 1
    assert "refused the admin password (401): run `owncastctl login" in result.stderr


def test_unexpected_errors_are_one_line_unless_debug(fake, ctl):
    fake.route("GET", "/api/admin/hardwarestats", {"cpu": 5})  # not a series: handled
    assert ctl("stats").exit_code == 0
    fake.route("GET", "/api/admin/users", [1, 2])  # a shape the table cannot show
    result = ctl("users", "list")
    assert result.exit_code == 1
    assert "unexpected error" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.stderr
    debug = ctl("--debug", "users", "list")
    assert debug.exception is not None and not isinstance(debug.exception, SystemExit)


def test_debug_prints_tracebacks_for_expected_errors(fake, ctl):
    fake.fail("GET", "/api/admin/logs")
    result = ctl("--debug", "logs")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_non_json_error_body(fake, ctl):
    fake.route("GET", "/api/admin/logs", httpx.Response(502, text="<html>Bad Gateway</html>"))
    result = ctl("logs")
    assert result.exit_code == 1 and "Bad Gateway" in result.stderr and "HTTP 502" in result.stderr


def test_missing_route_says_so(fake, ctl):
    result = ctl("config", "reload")
    assert result.exit_code == 1
    assert "has no POST /api/admin/config/reload (404)" in result.stderr


def test_a_handlers_own_404_shows_its_reason_not_a_missing_route(fake, ctl):
    """owncastd answers 404 `user nobody not found` for an unknown user: that is the reason to
    show, not "the server may be older than this owncastctl"."""
    fake.fail("POST", "/api/admin/chat/users/setenabled", 404, "user nobody not found")
    result = ctl("users", "ban", "nobody")
    assert result.exit_code == 1
    assert "user nobody not found" in result.stderr and "HTTP 404" in result.stderr
    assert "older than" not in result.stderr and "Traceback" not in result.stderr

    generic = "The requested URL was not found on the server. If you entered the URL manually…"
    fake.fail("POST", "/api/admin/config/reload", 404, generic)  # quart's answer: no route
    assert "has no POST /api/admin/config/reload (404)" in ctl("config", "reload").stderr
    fake.route("POST", "/api/admin/config/reload", httpx.Response(404, text="404 page not found"))
    assert "has no POST /api/admin/config/reload (404)" in ctl("config", "reload").stderr


def test_no_color_and_non_tty_output_is_plain(fake, ctl, monkeypatch):
    result = ctl("status", env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout
    monkeypatch.setenv("FORCE_COLOR", "1")  # the control: a forced terminal does get colour
    assert "\x1b[" in ctl("status").stdout
    monkeypatch.delenv("FORCE_COLOR")
    fake.fail("GET", "/api/admin/status")
    assert "\x1b[" not in ctl("status").stderr


def test_credentials_file_survives_a_round_trip(tmp_path):
    store = CredentialStore(tmp_path / "c")
    assert store.default_url() is None and store.load(URL) is None
    assert store.save(URL, "pw") == "file"
    store.save_chat_token(URL, "chat-token")
    assert store.load(URL).password == "pw" and store.chat_token(URL) == "chat-token"
    assert store.forget(URL) and not store.forget(URL)
    assert store.default_url() is None
    (tmp_path / "c" / "credentials.json").write_text("[]")
    with pytest.raises(Exception, match="not an owncastctl credentials file"):
        store.load(URL)
    os.chmod(tmp_path / "c", 0o700)
