"""Pure ffmpeg argv builders: settings in, an exact list of strings out (reference §5.2–5.8).

Nothing here runs a process or touches the disk. The transcoder runs :class:`FfmpegCommand`
as is (exec, no shell), so every argument is one list element and nothing is quoted.

We follow Owncast develop's argument order (reference §5.2) with these deliberate changes:

* the input is FLV on stdin (``-f flv -i pipe:0``);
* HLS goes straight to files under ``output_dir`` (no HTTP PUT listener), with ``temp_file``
  added to ``-hls_flags`` so readers never see a half-written segment or playlist;
* a passthrough variant declares its bitrate (``-b:v:N``, see ``_video_args``) so it is
  listed in the master playlist with a sensible BANDWIDTH;
* the per-variant preset is ``-preset:v:N`` rather than Owncast's bare ``-preset``: ffmpeg
  applies a bare ``-preset`` to every output stream and the last one wins, so in Owncast every
  variant is encoded with the last variant's preset (checked against ffmpeg 5.1's x264 SEI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from owncastd.config.settings import VideoSettings, VideoVariant
from owncastd.hls.tee_output import tee_output_args

__all__ = [
    "LATENCY_LEVELS",
    "FfmpegCommand",
    "LatencyLevel",
    "build_transcode_command",
    "ffreport_env",
    "preset_for",
    "segment_seconds",
]


class LatencyLevel(NamedTuple):
    """One latency level: HLS segment length and how many segments a playlist keeps."""

    segment_seconds: int
    playlist_length: int


# Reference §5.3 (models/latencyLevels.go): level → (-hls_time, -hls_list_size).
LATENCY_LEVELS: Mapping[int, LatencyLevel] = MappingProxyType(
    {
        0: LatencyLevel(1, 25),
        1: LatencyLevel(2, 15),
        2: LatencyLevel(3, 10),
        3: LatencyLevel(4, 8),
        4: LatencyLevel(5, 5),
    }
)

# Reference §5.4: CPU usage level → preset. NVENC has its own p1..p7 scale.
_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast")
_PRESET_OUT_OF_RANGE = "superfast"
_NVENC_PRESETS = ("p1", "p2", "p3", "p4", "p5")
_NVENC_PRESET_OUT_OF_RANGE = "p3"

_DEFAULT_FRAMERATE = 24  # reference §5.2: framerate 0/unset → 24
_DEFAULT_VIDEO_BITRATE = 1200  # reference §5.2: videoBitrate 0 → 1200
_AUDIO_HEADROOM_KBPS = 192  # develop: room left for audio in the video bitrate
_MIN_ALLOCATED_KBPS = 100
_HLS_FLAGS = "program_date_time+independent_segments+omit_endlist+temp_file"
_MASTER_PLAYLIST = "stream.m3u8"


@dataclass(frozen=True)
class _Codec:
    """What one H.264 encoder needs on the command line (develop's encoder_*.go, §5.5)."""

    name: str
    pixel_format: str
    global_flags: tuple[str, ...] = ()  # before the input (hardware decode setup)
    extra_args: tuple[str, ...] = ()  # output-wide, after the HLS options
    scaler: str = "scale"
    extra_filters: str = ""  # chained after the scaler, or alone when not scaling


_CODECS: Mapping[str, _Codec] = MappingProxyType(
    {
        "libx264": _Codec("libx264", "yuv420p", extra_args=("-tune", "zerolatency")),
        "h264_nvenc": _Codec("h264_nvenc", "yuv420p", global_flags=("-hwaccel", "cuda")),
        "h264_vaapi": _Codec(
            "h264_vaapi",
            "vaapi",
            global_flags=(
                "-hwaccel",
                "vaapi",
                "-hwaccel_output_format",
                "vaapi",
                "-vaapi_device",
                "/dev/dri/renderD128",
            ),
            scaler="scale_vaapi",
            extra_filters="hwupload=extra_hw_frames=64,format=vaapi",
        ),
        "h264_qsv": _Codec("h264_qsv", "nv12"),
        "h264_omx": _Codec("h264_omx", "yuv420p"),
        "h264_v4l2m2m": _Codec("h264_v4l2m2m", "nv21"),
        "h264_videotoolbox": _Codec("h264_videotoolbox", "nv12"),
    }
)


@dataclass(frozen=True)
class FfmpegCommand:
    """An ffmpeg invocation: the argv to exec and extra environment variables to set."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _codec(name: str) -> _Codec:
    try:
        return _CODECS[name]
    except KeyError:
        known = ", ".join(_CODECS)
        raise ValueError(f"unknown video codec {name!r} (known: {known})") from None


def segment_seconds(level: int) -> int:
    """Seconds per HLS segment for a latency level 0–4 (reference §5.3)."""
    return _latency(level).segment_seconds


def _latency(level: int) -> LatencyLevel:
    try:
        return LATENCY_LEVELS[level]
    except KeyError:
        raise ValueError(f"latency level must be 0..4 (got {level})") from None


def preset_for(codec: str, cpu_level: int) -> str:
    """The encoder preset for a CPU usage level (reference §5.4); out of range → the fallback."""
    presets, fallback = (
        (_NVENC_PRESETS, _NVENC_PRESET_OUT_OF_RANGE)
        if _codec(codec).name == "h264_nvenc"
        else (_PRESETS, _PRESET_OUT_OF_RANGE)
    )
    return presets[cpu_level] if 0 <= cpu_level < len(presets) else fallback


def ffreport_env(log_file: Path) -> Mapping[str, str]:
    """`FFREPORT` making ffmpeg log at info level (32) to `log_file` (reference §5.2).

    ffmpeg parses the value as `key=value:key=value` with backslash escapes, so ':' and '\\'
    (and quotes) in the path are escaped.
    """
    escaped = "".join("\\" + ch if ch in "\\:'" else ch for ch in str(log_file))
    return MappingProxyType({"FFREPORT": f"file={escaped}:level=32"})


def _video_bitrates(variant: VideoVariant) -> tuple[int, int]:
    """(allocated, maxrate) in kbps per develop: bitrate − 192 (unless < 100), max × 1.08."""
    bitrate = variant.video_bitrate or _DEFAULT_VIDEO_BITRATE
    allocated = bitrate - _AUDIO_HEADROOM_KBPS
    if allocated < _MIN_ALLOCATED_KBPS:
        allocated = bitrate
    # Integer form of Go's int(float64(allocated) * 1.08): identical for positive ints.
    return allocated, allocated * 108 // 100


def _video_args(codec: _Codec, index: int, variant: VideoVariant, seconds: int) -> list[str]:
    """Develop's getVideoQualityString plus the codec's per-variant flags."""
    if variant.video_passthrough:
        # `-b:v:N` on a copied stream only declares its bitrate; without it ffmpeg's HLS muxer
        # drops a video-only passthrough variant from the master playlist ("Bandwidth info
        # not available") and under-states it (audio only) when there is audio.
        declared = variant.video_bitrate or _DEFAULT_VIDEO_BITRATE
        return ["-map", "v:0", f"-c:v:{index}", "copy", f"-b:v:{index}", f"{declared}k"]
    framerate = variant.framerate or _DEFAULT_FRAMERATE
    gop = str(framerate * seconds)  # a keyframe starts every segment
    allocated, maxrate = _video_bitrates(variant)
    args = [
        "-map", "v:0",
        f"-c:v:{index}", codec.name,
        f"-b:v:{index}", f"{allocated}k",
        f"-maxrate:v:{index}", f"{maxrate}k",
        f"-g:v:{index}", gop,
        f"-keyint_min:v:{index}", gop,
        f"-r:v:{index}", str(framerate),
    ]  # fmt: skip
    if codec.name == "libx264":
        args += [
            f"-x264-params:v:{index}", "scenecut=0:open_gop=0",
            f"-bufsize:v:{index}", f"{maxrate}k",  # develop: bufsize = maxrate
            f"-profile:v:{index}", "high",
        ]  # fmt: skip
    elif codec.name == "h264_nvenc":
        args += [f"-tune:v:{index}", "ll"]
    return args


def _audio_args(index: int, variant: VideoVariant) -> list[str]:
    """Audio copy when passthrough or no bitrate, else AAC; `a:0?` tolerates no audio."""
    if variant.audio_passthrough or variant.audio_bitrate == 0:
        return ["-map", "a:0?", f"-c:a:{index}", "copy"]
    return ["-map", "a:0?", f"-c:a:{index}", "aac", f"-b:a:{index}", f"{variant.audio_bitrate}k"]


def _filter_args(codec: _Codec, index: int, variant: VideoVariant) -> list[str]:
    """Scaling (missing side → -2, keeps aspect) then the codec's filters; none for copy."""
    if variant.video_passthrough:
        return []
    if variant.scaled_width or variant.scaled_height:
        width = variant.scaled_width or -2
        height = variant.scaled_height or -2
        filters = [f"{codec.scaler}={width}:{height}"]
        if codec.extra_filters:
            filters.append(codec.extra_filters)
        return ["-sws_flags", "bilinear", f"-filter:v:{index}", ",".join(filters)]
    if codec.extra_filters:
        return [f"-filter:v:{index}", codec.extra_filters]
    return []


def _variant_args(
    codec: _Codec, index: int, variant: VideoVariant, seconds: int, has_audio: bool
) -> list[str]:
    """Develop's getVariantString: video, audio, filters, then the preset."""
    args = _video_args(codec, index, variant, seconds)
    if has_audio:
        args += _audio_args(index, variant)
    args += _filter_args(codec, index, variant)
    # Indexed preset (see the module docstring); still added for passthrough, as Owncast does.
    args += [f"-preset:v:{index}", preset_for(codec.name, variant.cpu_usage_level)]
    return args


def _flags(options: list[tuple[str, str]]) -> list[str]:
    return [item for name, value in options for item in (f"-{name}", value)]


def _output_args(
    codec: _Codec,
    latency: LatencyLevel,
    stream_map: str,
    files: list[tuple[str, str]],
    target: str,
    fragment_fds: Sequence[int],
    has_audio: bool,
) -> list[str]:
    """The HLS output (develop's order); with fragment pipes, a tee of it and fMP4 ones."""
    # HLS muxer: segment length and playlist size from the latency level (§5.3).
    hls = [
        ("hls_time", str(latency.segment_seconds)),
        ("hls_list_size", str(latency.playlist_length)),
        ("hls_flags", _HLS_FLAGS),
    ]
    # Output-wide video settings: codec extras, pixel format (yuv420p for x264), no scenecut.
    video_wide = [*codec.extra_args, "-pix_fmt", codec.pixel_format, "-sc_threshold", "0"]
    if fragment_fds:
        slave = [("var_stream_map", stream_map), *hls, *files]
        return [
            *video_wide,
            "-max_muxing_queue_size", "400",
            *tee_output_args(slave, target, fragment_fds, has_audio),
        ]  # fmt: skip
    return [
        "-var_stream_map", stream_map,
        "-f", "hls", *_flags(hls),
        "-segment_format_options", "mpegts_flags=mpegts_copyts=1",
        *video_wide,
        *_flags(files), "-max_muxing_queue_size", "400",
        target,
    ]  # fmt: skip


def build_transcode_command(
    ffmpeg: str,
    video: VideoSettings,
    *,
    output_dir: Path,
    segment_id: str,
    has_audio: bool = True,
    log_file: Path | None = None,
    playlist_dir: Path | None = None,
    fragment_fds: Sequence[int] = (),
) -> FfmpegCommand:
    """The live transcode: FLV on stdin → HLS variants under `output_dir` (reference §5.2).

    Writes `playlist_dir/stream.m3u8` (master), `playlist_dir/<N>/stream.m3u8` (playlist_dir
    defaults to output_dir) and `output_dir/<N>/stream-<segment_id>-<n>.ts`; with
    `fragment_fds` (one per variant), also fragmented MP4 to those pipes (tee_output.py).
    Raises ValueError for an unknown codec or latency level, no variants, a `segment_id` or
    `output_dir` that would break ffmpeg's `%v`/`%d` patterns, or a pipe count not matching.
    """
    codec = _codec(video.codec)
    latency = _latency(video.latency_level)
    if not video.variants:
        raise ValueError("at least one video variant is required")
    if not segment_id or any(ch in segment_id for ch in "/%\\"):
        raise ValueError(f"segment id must be non-empty without '/', '\\' or '%' ({segment_id!r})")
    playlist_dir = output_dir if playlist_dir is None else playlist_dir
    if fragment_fds and len(fragment_fds) != len(video.variants):
        raise ValueError("one fragment pipe per variant is required")
    for directory in (output_dir, playlist_dir):
        if "%" in str(directory):
            raise ValueError(f"output directory must not contain '%' ({directory})")

    # Global options, then the codec's hardware setup (develop puts them right after these).
    argv = [ffmpeg, "-hide_banner", "-loglevel", "warning", *codec.global_flags]
    # Input: develop's +genpts/+cgop, FLV from the RTMP ingest on stdin.
    argv += ["-fflags", "+genpts", "-flags", "+cgop", "-f", "flv", "-i", "pipe:0"]
    # One block per variant (getVariantString), then the map grouping each v with its a.
    for index, variant in enumerate(video.variants):
        argv += _variant_args(codec, index, variant, latency.segment_seconds, has_audio)
    groups = (f"v:{i},a:{i}" if has_audio else f"v:{i}" for i in range(len(video.variants)))
    stream_map = " ".join(groups)
    files = [  # files on disk instead of develop's HTTP PUT (§5.6 layout)
        ("master_pl_name", _MASTER_PLAYLIST),
        ("hls_segment_filename", str(output_dir / "%v" / f"stream-{segment_id}-%d.ts")),
    ]
    target = str(playlist_dir / "%v" / "stream.m3u8")
    argv += _output_args(codec, latency, stream_map, files, target, fragment_fds, has_audio)
    env = ffreport_env(log_file) if log_file is not None else MappingProxyType({})
    return FfmpegCommand(argv=tuple(argv), env=env)
