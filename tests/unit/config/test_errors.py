"""Bad configuration → the exact problem line; several problems → all of them at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from owncastd.config.load import ConfigFlags
from owncastd.errors import ConfigError

from .conftest import Loader

F = "owncast.toml"
FILE_CASES = [
    ("[rtmp]\nport = -1", f"{F}: [rtmp] port: must be 0..65535 (got -1)"),
    ("[web]\nport = 70000", f"{F}: [web] port: must be 0..65535 (got 70000)"),
    ('[web]\nport = "8080"', f'{F}: [web] port: must be an integer (got "8080")'),
    ("[web]\nport = true", f"{F}: [web] port: must be an integer (got true)"),
    ('[web]\nip = "localhost"', f'{F}: [web] ip: must be an IP address (got "localhost")'),
    ('[rtmp]\nip = "300.1.1.1"', f'{F}: [rtmp] ip: must be an IP address (got "300.1.1.1")'),
    (
        '[web]\ntrusted_proxies = ["10.0.0.0/8", "proxy.lan"]',
        f'{F}: [web] trusted_proxies[1]: must be an IP address or network (got "proxy.lan")',
    ),
    ("[webb]\nport = 1", f"{F}: [webb]: unknown section (did you mean [web]?)"),
    ("[web]\nprot = 1", f'{F}: [web] prot: unknown key (did you mean "port"?)'),
    ('[chat]\ndisabled = "yes"', f'{F}: [chat] disabled: must be true or false (got "yes")'),
    ("[video]\nlatency_level = 5", f"{F}: [video] latency_level: must be 0..4 (got 5)"),
    ("[video]\nlatency_level = -1", f"{F}: [video] latency_level: must be 0..4 (got -1)"),
    (
        '[video]\ncodec = "x265"',
        f"{F}: [video] codec: must be one of libx264, h264_nvenc, h264_vaapi, h264_qsv, "
        'h264_omx, h264_v4l2m2m, h264_videotoolbox (got "x265")',
    ),
    ("[video]\nvariants = []", f"{F}: [video] variants: must have at least one variant"),
    (
        "[[video.variants]]\nframerate = 0",
        f"{F}: [video] variants[0].framerate: must be 1..120 (got 0)",
    ),
    (
        "[[video.variants]]\n[[video.variants]]\nframerate = 121",
        f"{F}: [video] variants[1].framerate: must be 1..120 (got 121)",
    ),
    (
        "[[video.variants]]\nvideo_bitrate = 200000",
        f"{F}: [video] variants[0].video_bitrate: must be 1..100000 (got 200000)",
    ),
    (
        "[[video.variants]]\nvideo_bitrate = 0",
        f"{F}: [video] variants[0].video_bitrate: must be 1..100000 (got 0)",
    ),
    (
        "[[video.variants]]\naudio_bitrate = -128",
        f"{F}: [video] variants[0].audio_bitrate: must be 0..100000 (got -128)",
    ),
    (
        "[[video.variants]]\ncpu_usage_level = 7",
        f"{F}: [video] variants[0].cpu_usage_level: must be 0..4 (got 7)",
    ),
    (
        "[[video.variants]]\nframerate = 30.0",
        f"{F}: [video] variants[0].framerate: must be an integer (got 30.0)",
    ),
    (
        "[[video.variants]]\nframerat = 30",
        f'{F}: [video] variants[0].framerat: unknown key (did you mean "framerate"?)',
    ),
    (
        "[video]\nvariants = [{ name = 5 }]",
        f"{F}: [video] variants[0].name: must be a string (got 5)",
    ),
    (
        '[rtmp]\nstream_keys = [{ key = "has space" }]',
        f"{F}: [rtmp] stream_keys[0].key: must not contain whitespace",
    ),
    ('[rtmp]\nstream_keys = [{ key = "" }]', f"{F}: [rtmp] stream_keys[0].key: must not be empty"),
    ('[rtmp]\nstream_keys = [{ comment = "x" }]', f"{F}: [rtmp] stream_keys[0].key: missing"),
    (
        '[rtmp]\nstream_keys = [{ key = "k1" }, { key = "k2" }, { key = "k1" }]',
        f"{F}: [rtmp] stream_keys: entries 0 and 2 have the same key",
    ),
    # a bare string is probably a key: its value is not echoed
    (
        '[rtmp]\nstream_keys = ["abc"]',
        f"{F}: [rtmp] stream_keys[0]: must be a table (got a string)",
    ),
    ('[server]\nurl = "ftp://x"', f'{F}: [server] url: must be an http(s) URL (got "ftp://x")'),
    (
        '[web]\nvideo_serving_endpoint = "cdn.example.com"',
        f'{F}: [web] video_serving_endpoint: must be an http(s) URL (got "cdn.example.com")',
    ),
    (
        '[web]\nsocket_host_override = "tcp://x"',
        f'{F}: [web] socket_host_override: must be a ws/wss/http/https URL (got "tcp://x")',
    ),
    ('[[server.social_handles]]\nplatform = "x"', f"{F}: [server] social_handles[0].url: missing"),
    (
        '[[server.social_handles]]\nplatform = "x"\nurl = "javascript:alert(1)"',
        f'{F}: [server] social_handles[0].url: must be an http(s) URL (got "javascript:alert(1)")',
    ),
    (
        '[server]\nexternal_actions = [{ url = "https://a.example" }]',
        f"{F}: [server] external_actions[0].title: missing",
    ),
    (
        '[admin]\npassword_hash = "abc123"',
        f"{F}: [admin] password_hash: must be a bcrypt hash ($2a$, $2b$ or $2y$); "
        "use --adminpassword to set a password",
    ),
    (
        '[server]\nname = "' + "n" * 300 + '"',
        f"{F}: [server] name: must be at most 255 characters (got 300)",
    ),
    (
        '[server]\ntags = "owncast"',
        f'{F}: [server] tags: must be an array of strings (got "owncast")',
    ),
    ('[server]\ntags = ["a", 1]', f"{F}: [server] tags[1]: must be a string (got 1)"),
    (
        "[chat]\nforbidden_usernames = [1]",
        f"{F}: [chat] forbidden_usernames[0]: must be a string (got 1)",
    ),
    (
        '[server.appearance_variables]\n"--a" = 1',
        f"{F}: [server] appearance_variables.--a: must be a string (got 1)",
    ),
    (
        '[paths]\ndata_dir = "x"',
        f"{F}: [paths] data_dir: not a key of the file "
        "(set it with --data-dir or OWNCAST_DATA_DIR)",
    ),
    (
        "verbose_logging = true",
        f"{F}: verbose_logging: not a key of the file (use [logging] verbose)",
    ),
    ('name = "x"', f"{F}: name: unknown key (did you mean [server] name?)"),
    ("web = 5", f"{F}: web: must be a table [web] (got 5)"),
    (
        "[notifications.slack]\nenabled = true",
        f"{F}: [notifications.slack]: unknown section (did you mean [notifications.discord]?)",
    ),
    (
        "[notifications]\nenabled = true",
        f"{F}: [notifications] enabled: unknown key "
        "(use [notifications.discord] or [notifications.browser])",
    ),
    (
        "[notifications]\ndiscord = 1",
        f"{F}: notifications.discord: must be a table [notifications.discord] (got 1)",
    ),
    (
        '[federation]\nusername = "bad name"',
        f"{F}: [federation] username: "
        'must be 1..64 letters, digits, "_", "-" or "." (got "bad name")',
    ),
    (
        "[notifications.discord]\nenabled = true",
        f"{F}: [notifications.discord] webhook: required when discord is enabled",
    ),
    # the webhook URL is a secret: not echoed even when malformed
    (
        '[notifications.discord]\nwebhook = "not a url"',
        f"{F}: [notifications.discord] webhook: must be an http(s) URL",
    ),
    (
        "[web\nport = 1",
        f"{F}: line 1, column 5: invalid TOML: Expected ']' at the end of a table declaration",
    ),
]


@pytest.mark.parametrize(("text", "problem"), FILE_CASES)
def test_file_problem(
    text: str, problem: str, config_file: Callable[[str], Path], load: Loader
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(config_file(text))
    assert caught.value.problems == [problem]


def test_s3_enabled_names_every_missing_key(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(config_file('[s3]\nenabled = true\nbucket = "b"'))
    assert caught.value.problems == [
        f"{F}: [s3] {key}: required when s3 is enabled"
        for key in ("endpoint", "access_key", "secret", "region")
    ]


ENV_CASES = [
    ({"OWNCAST_WEB_PORT": "abc"}, 'env OWNCAST_WEB_PORT: must be an integer (got "abc")'),
    ({"OWNCAST_WEB_PORT": "-1"}, "env OWNCAST_WEB_PORT: must be 0..65535 (got -1)"),
    ({"OWNCAST_RTMP_IP": "x"}, 'env OWNCAST_RTMP_IP: must be an IP address (got "x")'),
    (
        {"OWNCAST_CHAT_DISABLED": "maybe"},
        'env OWNCAST_CHAT_DISABLED: must be true or false (got "maybe")',
    ),
    ({"OWNCAST_VIDEO_LATENCY_LEVEL": "9"}, "env OWNCAST_VIDEO_LATENCY_LEVEL: must be 0..4 (got 9)"),
    ({"OWNCAST_VERBOSE": "loud"}, 'env OWNCAST_VERBOSE: must be true or false (got "loud")'),
    (
        {"OWNCAST_WEB_PROT": "1"},
        'env OWNCAST_WEB_PROT: unknown variable (did you mean "OWNCAST_WEB_PORT"?)',
    ),
    (
        {"OWNCAST_SERVERNAME": "x"},
        'env OWNCAST_SERVERNAME: unknown variable (did you mean "OWNCAST_SERVER_NAME"?)',
    ),
    ({"OWNCAST_ADMIN_PASSWORD": ""}, "env OWNCAST_ADMIN_PASSWORD: must not be empty"),
    (
        {"OWNCAST_ADMIN_PASSWORD": "é" * 40},
        "env OWNCAST_ADMIN_PASSWORD: must be at most 72 bytes (a bcrypt limit)",
    ),
    ({"OWNCAST_STREAM_KEY": "a b"}, "env OWNCAST_STREAM_KEY: must not contain whitespace"),
    (
        {"OWNCAST_ADMIN_PASSWORD_HASH": "plain"},
        "env OWNCAST_ADMIN_PASSWORD_HASH: must be a bcrypt hash ($2a$, $2b$ or $2y$); "
        "use --adminpassword to set a password",
    ),
]


@pytest.mark.parametrize(("environ", "problem"), ENV_CASES)
def test_env_problem(
    environ: dict[str, str], problem: str, config_file: Callable[[str], Path], load: Loader
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(config_file(""), environ=environ)
    assert caught.value.problems == [problem]


FLAG_CASES = [
    (ConfigFlags(rtmpport=-1), "--rtmpport: must be 0..65535 (got -1)"),
    (ConfigFlags(webserverport=65536), "--webserverport: must be 0..65535 (got 65536)"),
    (ConfigFlags(webserverip="nope"), '--webserverip: must be an IP address (got "nope")'),
    (ConfigFlags(adminpassword=""), "--adminpassword: must not be empty"),
    (
        ConfigFlags(adminpassword="x" * 73),
        "--adminpassword: must be at most 72 bytes (a bcrypt limit)",
    ),
    (ConfigFlags(streamkey=""), "--streamkey: must not be empty"),
    (ConfigFlags(streamkey="two words"), "--streamkey: must not contain whitespace"),
]


@pytest.mark.parametrize(("flags", "problem"), FLAG_CASES)
def test_flag_problem(
    flags: ConfigFlags, problem: str, config_file: Callable[[str], Path], load: Loader
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(config_file(""), flags=flags)
    assert caught.value.problems == [problem]


def test_every_problem_is_reported_at_once(
    config_file: Callable[[str], Path], load: Loader
) -> None:
    text = (
        '[web]\nport = -1\nip = "nowhere"\n'
        "[video]\nlatency_level = 9\n"
        "[[video.variants]]\nframerate = 500\n"
        "[chatt]\ndisabled = true\n"
    )
    path = config_file(text)
    with pytest.raises(ConfigError) as caught:
        load(
            path,
            environ={"OWNCAST_RTMP_PORT": "x", "OWNCAST_XYZZY": "1"},
            flags=ConfigFlags(rtmpport=99999, webserverport=8080),
        )
    assert caught.value.problems == [
        f"{F}: [web] port: must be 0..65535 (got -1)",
        f'{F}: [web] ip: must be an IP address (got "nowhere")',
        f"{F}: [video] latency_level: must be 0..4 (got 9)",
        f"{F}: [video] variants[0].framerate: must be 1..120 (got 500)",
        f"{F}: [chatt]: unknown section (did you mean [chat]?)",
        'env OWNCAST_RTMP_PORT: must be an integer (got "x")',
        "env OWNCAST_XYZZY: unknown variable",
        "--rtmpport: must be 0..65535 (got 99999)",
    ]
    assert str(caught.value) == "\n".join(caught.value.problems)
    # nothing was persisted although --webserverport is a persisted flag
    assert path.read_text(encoding="utf-8") == text


def test_a_missing_explicit_config_is_an_error(tmp_path: Path, load: Loader) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load(missing)
    assert caught.value.problems == [f"{missing}: config file not found"]
    assert not missing.exists()


def test_an_unknown_config_from_env_is_an_error(tmp_path: Path, load: Loader) -> None:
    missing = tmp_path / "elsewhere.toml"
    with pytest.raises(ConfigError) as caught:
        load(environ={"OWNCAST_CONFIG": str(missing)})
    assert caught.value.problems == [f"{missing}: config file not found"]


def test_problems_use_the_config_file_name(tmp_path: Path, load: Loader) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[rtmp]\nport = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert caught.value.problems == ["site.toml: [rtmp] port: must be 0..65535 (got -1)"]
