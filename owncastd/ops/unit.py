"""The systemd unit (and its sysusers/tmpfiles snippets) for `owncastd install-service`.

Paths follow systemd's conventions for a service called NAME: data in `/var/lib/NAME`
(StateDirectory), logs in `/var/log/NAME` (LogsDirectory), the config file in
`/etc/NAME/owncast.toml` (ConfigurationDirectory, owned by the service user because the admin
API and first start write it). `systemd/owncastd.service` in the repository is this rendering
with the defaults, checked by a test.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from owncastd.core.stop_budget import SHUTDOWN_GRACE

DEFAULT_NAME = "owncastd"
DEFAULT_USER = "owncast"
DEFAULT_EXEC = "/opt/owncastd/.venv/bin/owncastd"
WATCHDOG_SEC = 30
# The longest a graceful stop can take (core/stop_budget.py adds up the parts); systemd must
# wait longer than that before it kills.
TIMEOUT_STOP_SEC = int(SHUTDOWN_GRACE) + 15
HOME_PREFIXES = ("/home/", "/root/", "/run/user/")

UNIT_TEMPLATE = """\
# owncastd as a system service; written by `owncastd install-service` (see systemd/README.md).
#   systemctl daemon-reload && systemctl enable --now {name}
#   systemctl reload {name}     re-reads {config} (SIGHUP)
#   journalctl -u {name}        the daemon's log (also in /var/log/{name}/)
[Unit]
Description=owncastd live video and chat server
Documentation=man:systemd.exec(5)
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
NotifyAccess=main
ExecStart={exec} --data-dir /var/lib/{name} --config {config} --logdir /var/log/{name}
ExecReload=/bin/kill -HUP $MAINPID
EnvironmentFile=-/etc/{name}/environment
Restart=on-failure
RestartSec=2
TimeoutStartSec=60
# Longer than the daemon's worst-case graceful stop ({grace:.0f} s).
TimeoutStopSec={timeout_stop}
# The daemon pets the watchdog from its event loop every {half_watchdog} s.
WatchdogSec={watchdog}

User={user}
Group={user}
StateDirectory={name}
StateDirectoryMode=0700
LogsDirectory={name}
LogsDirectoryMode=0750
ConfigurationDirectory={name}
ConfigurationDirectoryMode=0750
# The admin API and the first start write the config file (atomically, beside it).
ReadWritePaths=/etc/{name}
UMask=0077

# Hardening. ffmpeg (libx264, AAC, HLS) was checked to run with MemoryDenyWriteExecute.
# Hardware encoders (h264_vaapi, h264_qsv, h264_nvenc) need /dev: drop PrivateDevices for them.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome={protect_home}
PrivateTmp=yes
PrivateDevices=yes
PrivateMounts=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
"""

SYSUSERS_TEMPLATE = """\
# The {user} system user for {name}.service (install as /etc/sysusers.d/{name}.conf).
u {user} - "owncastd live video server" /var/lib/{name} -
"""

TMPFILES_TEMPLATE = """\
# {name}'s config directory, writable by the service (install as /etc/tmpfiles.d/{name}.conf).
d /etc/{name} 0750 {user} {user} -
"""


@dataclass(frozen=True)
class UnitOptions:
    """What varies between installs."""

    exec_path: str = DEFAULT_EXEC
    name: str = DEFAULT_NAME
    user: str = DEFAULT_USER

    @property
    def config(self) -> str:
        """The config file the unit passes with --config."""
        return f"/etc/{self.name}/owncast.toml"


def render_unit(options: UnitOptions) -> str:
    """The unit file text."""
    in_home = options.exec_path.startswith(HOME_PREFIXES)
    return UNIT_TEMPLATE.format(
        exec=options.exec_path,
        name=options.name,
        user=options.user,
        config=options.config,
        grace=SHUTDOWN_GRACE,
        timeout_stop=TIMEOUT_STOP_SEC,
        watchdog=WATCHDOG_SEC,
        half_watchdog=WATCHDOG_SEC // 2,
        # An install inside a home directory must stay readable.
        protect_home="read-only" if in_home else "yes",
    )


def render_sysusers(options: UnitOptions) -> str:
    """A sysusers.d snippet creating the service user."""
    return SYSUSERS_TEMPLATE.format(name=options.name, user=options.user)


def render_tmpfiles(options: UnitOptions) -> str:
    """A tmpfiles.d snippet creating the config directory owned by the service user."""
    return TMPFILES_TEMPLATE.format(name=options.name, user=options.user)


def installed_exec() -> str:
    """The `owncastd` executable of this installation (the venv's console script)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "owncastd" and argv0.is_file():
        return str(argv0.resolve())
    return str(Path(sys.executable).parent / "owncastd")
