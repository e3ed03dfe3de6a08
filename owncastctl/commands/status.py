"""`status`, `stats`, `viewers`, `disconnect`: what is happening on the server right now."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api, server_url
from owncastctl.commands import JsonOpt, YesOpt, confirm
from owncastctl.errors import ServerRefusedError
from owncastctl.latency_view import latency_text, live_latency, p95_history
from owncastctl.output import duration, kbps, parse_time, series, sparkline, when
from owncastctl.state import State, get_state

WEAK_SECRETS = frozenset(
    {
        "abc123",
        "password",
        "admin",
        "owncast",
        "changeme",
        "123456",
        "12345678",
        "streamkey",
        "live",
        "test",
        "secret",
        "qwerty",
    }
)
MIN_SECRET_LENGTH = 8


def weak(secret: str) -> bool:
    """True for Owncast's default `abc123`, common passwords and anything shorter than 8."""
    return secret.lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH


def secret_warnings(password: str | None, config: Any) -> list[str]:
    """Warnings about the admin password in use and the configured stream keys."""
    warnings = []
    if password is not None and weak(password):
        default = " (Owncast's default)" if password == "abc123" else ""
        warnings.append(
            f"the admin password is weak{default}: change it with `owncastctl password set`"
        )
    keys = config.get("streamKeys") if isinstance(config, dict) else None
    for entry in keys if isinstance(keys, list) else []:
        key = entry.get("key") if isinstance(entry, dict) else None
        if isinstance(key, str) and weak(key):
            default = " (Owncast's default)" if key == "abc123" else ""
            comment = entry.get("comment") or "no comment"
            warnings.append(
                f"stream key '{comment}' is weak{default}: replace it: `owncastctl streamkeys "
                "add` makes a strong one, then `owncastctl streamkeys remove` the weak one"
            )
    return warnings


def uptime_seconds(status: dict[str, Any]) -> float | None:
    """Seconds since the broadcaster connected (None while offline)."""
    broadcaster = status.get("broadcaster") or {}
    started = parse_time(broadcaster.get("time")) if isinstance(broadcaster, dict) else None
    if not status.get("online") or started is None:
        return None
    return max(0.0, (datetime.now(UTC) - started).total_seconds())


def status(
    ctx: typer.Context,
    as_json: JsonOpt = False,
) -> None:
    """Live or offline, title, viewers and peaks, the broadcaster's stream, uptime, health.

    Warns when the admin password or a stream key is weak (e.g. Owncast's default abc123).
    --json prints {"status": <GET /api/admin/status>, "daemon": <GET /api/admin/daemon> or
    null (health parts, problems, restartRequired, web: the listener's limits and open
    connections), "uptimeSeconds": number|null,
    "warnings": [string], "liveLatency": owncastd's {clients, p50, p95, liveEdgeP50,
    liveEdgeP95} (seconds) of GET /api/admin/metrics/video, or null}.
    """
    state = get_state(ctx)
    data = state.call(api.admin_status())
    try:
        config = state.call(api.server_config())
    except ServerRefusedError:
        config = {}
    try:
        daemon = state.call(api.daemon_status())
    except ServerRefusedError:  # not owncastd, or an owncastd without the appliance routes
        daemon = None
    warnings = secret_warnings(state.client().conn.password, config)
    warnings += server_url.federation_warnings(config)
    uptime = uptime_seconds(data)
    latency = live_latency(_video_metrics(state))
    if as_json:
        state.out.json(
            {
                "status": data,
                "daemon": daemon,
                "uptimeSeconds": uptime,
                "warnings": warnings,
                "liveLatency": latency,
            }
        )
        return
    print_status(state, data, uptime, daemon if isinstance(daemon, dict) else None, latency)
    for warning in warnings:
        state.out.warn(warning)


def web_limits_text(web: dict[str, Any]) -> str:
    """One line for the web listener's limits (`/api/admin/daemon`'s `web`)."""
    path = "fast path on" if web.get("fastPath") else "fast path off"
    return (
        f"{path} · {web.get('openConnections', '?')}/{web.get('maxConnections', '?')} "
        f"connections ({web.get('maxConnectionsPerIp', '?')} per IP) · timeouts: head "
        f"{web.get('headerTimeout', '?')} s, keep-alive {web.get('keepAliveTimeout', '?')} s, "
        f"write {web.get('writeTimeout', '?')} s · head ≤ {web.get('maxHeaderBytes', '?')} B"
    )


def _video_metrics(state: State) -> Any:
    """GET /api/admin/metrics/video, or None where the server refuses it."""
    try:
        return state.call(api.video_metrics())
    except ServerRefusedError:
        return None


def print_status(
    state: State,
    data: dict[str, Any],
    uptime: float | None,
    daemon: dict[str, Any] | None,
    latency: dict[str, Any] | None = None,
) -> None:
    """The human status panel."""
    out = state.out
    title = escape(str(data.get("streamTitle") or ""))
    if data.get("online"):
        out.print(f"[bold green]● LIVE[/]  {title}")
    else:
        out.print(f"[bold]○ offline[/]  {title}")
    table = out.table("", "")
    table.show_header = False
    viewers = (
        f"{data.get('viewerCount', 0)} now · {data.get('sessionPeakViewerCount', 0)} peak "
        f"this stream · {data.get('overallPeakViewerCount', 0)} all-time peak"
    )
    table.add_row("Viewers", viewers)
    broadcaster = data.get("broadcaster")
    if isinstance(broadcaster, dict):
        d = broadcaster.get("streamDetails") or {}
        table.add_row(
            "Broadcaster",
            escape(
                f"{d.get('encoder') or 'unknown encoder'} from {broadcaster.get('remoteAddr', '?')}"
            ),
        )
        video = (
            f"{d.get('width', '?')}×{d.get('height', '?')} @ {d.get('framerate', '?')} fps, "
            f"{d.get('videoCodec') or '?'} {kbps(d.get('videoBitrate'))}"
        )
        table.add_row("Video in", escape(video))
        if not d.get("videoOnly"):
            audio = f"{d.get('audioCodec') or '?'} {kbps(d.get('audioBitrate'))}"
            table.add_row("Audio in", escape(audio))
    if uptime is not None:
        table.add_row("Uptime", duration(uptime))
    current = data.get("currentBroadcast")
    if isinstance(current, dict):
        outputs = ", ".join(
            f"{o.get('name') or 'variant'} {o.get('videoBitrate', '?')} kbps@{o.get('framerate')}"
            for o in current.get("outputSettings") or []
        )
        table.add_row("Output", escape(f"latency level {current.get('latencyLevel')}; {outputs}"))
    health = data.get("health")
    if isinstance(health, dict) and data.get("online"):
        healthy = "[green]healthy[/]" if health.get("healthy") else "[red]unhealthy[/]"
        message = escape(str(health.get("message") or ""))
        table.add_row("Health", f"{healthy} {health.get('healthPercentage', '?')}% {message}")
    if latency is not None and data.get("online"):
        table.add_row("Live latency", escape(latency_text(latency)))
    if daemon is not None:
        problems = "; ".join(str(p) for p in daemon.get("problems") or [])
        condition = str(daemon.get("status", "?"))
        color = {"ok": "green", "degraded": "yellow"}.get(condition, "red")
        table.add_row("Daemon", f"[{color}]{escape(condition)}[/] {escape(problems)}")
        pending = daemon.get("restartRequired") or []
        if pending:
            table.add_row("Restart needed", escape(", ".join(map(str, pending))))
        web = daemon.get("web")
        if isinstance(web, dict):
            table.add_row("Web", escape(web_limits_text(web)))
    table.add_row("Server", escape(f"{_versions(data)} at {state.client().conn.base}"))
    out.show(table)


def _versions(data: dict[str, Any]) -> str:
    """`owncastd X (Owncast API Y)`; an older daemon sent only its own version as versionNumber."""
    api_version = data.get("versionNumber", "?")
    ours = data.get("owncastdVersion")
    return f"owncastd {ours} (Owncast API {api_version})" if ours else str(api_version)


def stats(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """CPU, RAM and disk use now, with sparklines of the history (one sample a minute), and
    the live latency viewers see (p50/p95 of their players' reports, owncastd only).

    --json prints GET /api/admin/hardwarestats: {"cpu": [{"time", "value"}], "memory": […],
    "disk": […]} (values are percentages), plus "liveLatency": owncastd's {clients, p50, p95,
    liveEdgeP50, liveEdgeP95} (seconds) of GET /api/admin/metrics/video, or null.
    """
    state = get_state(ctx)
    data = state.call(api.hardware_stats())
    video = _video_metrics(state)
    if as_json:
        extra = {"liveLatency": live_latency(video)}
        state.out.json({**data, **extra} if isinstance(data, dict) else data)
        return
    table = state.out.table("", "now", "min", "max", "history (1/min)")
    for name, label in (("cpu", "CPU"), ("memory", "RAM"), ("disk", "Disk")):
        values = series(data.get(name) if isinstance(data, dict) else None)
        if not values:
            table.add_row(label, "–", "", "", "no samples yet")
            continue
        table.add_row(
            label,
            f"{values[-1]:.0f}%",
            f"{min(values):.0f}%",
            f"{max(values):.0f}%",
            sparkline(values, 48, top=100),
        )
    state.out.show(table)
    summary = live_latency(video)
    if summary is not None:
        history = p95_history(video, 48)
        trend = f"  p95 (1/min): {history}" if history else ""
        state.out.print(f"Live latency: {escape(latency_text(summary))}{trend}")


WINDOWS = {"1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600, "7d": 7 * 24 * 3600}


def viewers(
    ctx: typer.Context,
    window: Annotated[
        str, typer.Option(help="History window: 1h, 6h, 24h or 7d.", case_sensitive=False)
    ] = "24h",
    as_json: JsonOpt = False,
) -> None:
    """Active viewers now and the viewer count over time.

    --json prints {"viewers": <GET /api/admin/viewers>, "overTime":
    <GET /api/admin/viewersOverTime>} (a list of {"time", "value"}).
    """
    state = get_state(ctx)
    if window.lower() not in WINDOWS:
        raise typer.BadParameter(f"must be one of {', '.join(WINDOWS)}", param_hint="--window")
    active = state.call(api.viewers()) or []
    over_time = state.call(api.viewers_over_time(int(time.time()) - WINDOWS[window.lower()]))
    if as_json:
        state.out.json({"viewers": active, "overTime": over_time or []})
        return
    table = state.out.table(
        "IP address", "first seen", "user agent", title=f"{len(active)} viewing"
    )
    for viewer in active:
        table.add_row(
            str(viewer.get("ipAddress", "")),
            when(viewer.get("firstSeen")),
            escape(str(viewer.get("userAgent", ""))[:60]),
        )
    state.out.show(table)
    counts = series(over_time)
    if counts:
        state.out.print(
            f"last {window}: {sparkline(counts, 60)}  (max {max(counts):.0f}, now {counts[-1]:.0f})"
        )
    else:
        state.out.print(f"last {window}: no samples (counts are sampled while live)")


def disconnect(ctx: typer.Context, yes: YesOpt = False) -> None:
    """Disconnect the broadcaster (drops the inbound RTMP stream)."""
    state = get_state(ctx)
    confirm("Disconnect the broadcaster now?", yes)
    state.act(api.disconnect(), "broadcaster disconnected")
