"""Golden argv lists for the ffmpeg command builder (reference §5.2–5.8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from owncastd.config.settings import KNOWN_CODECS, VideoSettings, VideoVariant
from owncastd.hls.command import (
    LATENCY_LEVELS,
    FfmpegCommand,
    build_transcode_command,
    preset_for,
    segment_seconds,
)

OUT = Path("/data/hls")


def build(video: VideoSettings, **kwargs: object) -> tuple[str, ...]:
    command = build_transcode_command(
        "ffmpeg", video, output_dir=OUT, segment_id="abc123", **kwargs
    )
    assert isinstance(command, FfmpegCommand)
    return command.argv


# The tail every libx264 command shares after the variants, for a latency level.
def x264_tail(hls_time: int, list_size: int) -> list[str]:
    return [
        "-f", "hls", "-hls_time", str(hls_time), "-hls_list_size", str(list_size),
        "-hls_flags", "program_date_time+independent_segments+omit_endlist+temp_file",
        "-segment_format_options", "mpegts_flags=mpegts_copyts=1",
        "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-sc_threshold", "0",
        "-master_pl_name", "stream.m3u8",
        "-hls_segment_filename", "/data/hls/%v/stream-abc123-%d.ts",
        "-max_muxing_queue_size", "400",
        "/data/hls/%v/stream.m3u8",
    ]  # fmt: skip


HEAD = [
    "ffmpeg", "-hide_banner", "-loglevel", "warning",
    "-fflags", "+genpts", "-flags", "+cgop", "-f", "flv", "-i", "pipe:0",
]  # fmt: skip


# ---- latency levels ---------------------------------------------------------------------------


def test_latency_table_matches_reference() -> None:
    assert dict(LATENCY_LEVELS) == {0: (1, 25), 1: (2, 15), 2: (3, 10), 3: (4, 8), 4: (5, 5)}
    assert [segment_seconds(level) for level in range(5)] == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="latency level"):
        segment_seconds(5)


@pytest.mark.parametrize(
    ("level", "hls_time", "list_size", "gop"),
    [(0, 1, 25, "24"), (1, 2, 15, "48"), (2, 3, 10, "72"), (3, 4, 8, "96"), (4, 5, 5, "120")],
)
def test_default_variant_at_each_latency_level(
    level: int, hls_time: int, list_size: int, gop: str
) -> None:
    # Default variant: 1200 kbps, 24 fps, CPU level 2, audio passthrough (reference §5.4).
    assert build(VideoSettings(latency_level=level)) == (
        *HEAD,
        "-map", "v:0", "-c:v:0", "libx264", "-b:v:0", "1008k", "-maxrate:v:0", "1088k",
        "-g:v:0", gop, "-keyint_min:v:0", gop, "-r:v:0", "24",
        "-x264-params:v:0", "scenecut=0:open_gop=0", "-bufsize:v:0", "1088k",
        "-profile:v:0", "high",
        "-map", "a:0?", "-c:a:0", "copy",
        "-preset:v:0", "veryfast",
        "-var_stream_map", "v:0,a:0",
        *x264_tail(hls_time, list_size),
    )  # fmt: skip


def test_reference_three_variant_example() -> None:
    # The develop unit test of reference §5.2 (latency 2), written to disk instead of HTTP PUT
    # with an indexed -preset:v:N (a bare -preset makes the last one win for every stream), and
    # with a declared -b:v:2 on the copied stream (else the master may omit or misrank it).
    video = VideoSettings(
        latency_level=2,
        variants=(
            VideoVariant(video_bitrate=1200, framerate=30, cpu_usage_level=2),
            VideoVariant(video_bitrate=3500, framerate=24, cpu_usage_level=4),
            VideoVariant(video_passthrough=True, cpu_usage_level=0),
        ),
    )
    assert build(video) == (
        *HEAD,
        "-map", "v:0", "-c:v:0", "libx264", "-b:v:0", "1008k", "-maxrate:v:0", "1088k",
        "-g:v:0", "90", "-keyint_min:v:0", "90", "-r:v:0", "30",
        "-x264-params:v:0", "scenecut=0:open_gop=0", "-bufsize:v:0", "1088k",
        "-profile:v:0", "high",
        "-map", "a:0?", "-c:a:0", "copy", "-preset:v:0", "veryfast",
        "-map", "v:0", "-c:v:1", "libx264", "-b:v:1", "3308k", "-maxrate:v:1", "3572k",
        "-g:v:1", "72", "-keyint_min:v:1", "72", "-r:v:1", "24",
        "-x264-params:v:1", "scenecut=0:open_gop=0", "-bufsize:v:1", "3572k",
        "-profile:v:1", "high",
        "-map", "a:0?", "-c:a:1", "copy", "-preset:v:1", "fast",
        "-map", "v:0", "-c:v:2", "copy", "-b:v:2", "1200k", "-map", "a:0?", "-c:a:2", "copy",
        "-preset:v:2", "ultrafast",
        "-var_stream_map", "v:0,a:0 v:1,a:1 v:2,a:2",
        *x264_tail(3, 10),
    )  # fmt: skip


# ---- variant options --------------------------------------------------------------------------


def test_aac_reencode_when_not_passthrough() -> None:
    video = VideoSettings(
        variants=(VideoVariant(audio_passthrough=False, audio_bitrate=128, cpu_usage_level=1),)
    )
    assert build(video) == (
        *HEAD,
        "-map", "v:0", "-c:v:0", "libx264", "-b:v:0", "1008k", "-maxrate:v:0", "1088k",
        "-g:v:0", "72", "-keyint_min:v:0", "72", "-r:v:0", "24",
        "-x264-params:v:0", "scenecut=0:open_gop=0", "-bufsize:v:0", "1088k",
        "-profile:v:0", "high",
        "-map", "a:0?", "-c:a:0", "aac", "-b:a:0", "128k",
        "-preset:v:0", "superfast",
        "-var_stream_map", "v:0,a:0",
        *x264_tail(3, 10),
    )  # fmt: skip


def test_audio_bitrate_zero_copies_even_without_passthrough() -> None:
    argv = build(VideoSettings(variants=(VideoVariant(audio_passthrough=False),)))
    assert argv[argv.index("-c:a:0") + 1] == "copy"
    assert "-b:a:0" not in argv


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(0, 360, "scale=-2:360"), (640, 0, "scale=640:-2"), (640, 360, "scale=640:360")],
)
def test_scaling(width: int, height: int, scale: str) -> None:
    video = VideoSettings(
        latency_level=0,
        variants=(VideoVariant(video_bitrate=800, scaled_width=width, scaled_height=height),),
    )
    assert build(video) == (
        *HEAD,
        "-map", "v:0", "-c:v:0", "libx264", "-b:v:0", "608k", "-maxrate:v:0", "656k",
        "-g:v:0", "24", "-keyint_min:v:0", "24", "-r:v:0", "24",
        "-x264-params:v:0", "scenecut=0:open_gop=0", "-bufsize:v:0", "656k",
        "-profile:v:0", "high",
        "-map", "a:0?", "-c:a:0", "copy",
        "-sws_flags", "bilinear", "-filter:v:0", scale,
        "-preset:v:0", "veryfast",
        "-var_stream_map", "v:0,a:0",
        *x264_tail(1, 25),
    )  # fmt: skip


def test_passthrough_ignores_scaling() -> None:
    video = VideoSettings(variants=(VideoVariant(video_passthrough=True, scaled_height=360),))
    argv = build(video)
    assert "-filter:v:0" not in argv
    assert "-sws_flags" not in argv
    scaled = build(VideoSettings(variants=(VideoVariant(scaled_height=360),)))
    assert "-filter:v:0" in scaled and "-sws_flags" in scaled  # without passthrough it scales


def test_video_only_input() -> None:
    video = VideoSettings(
        variants=(VideoVariant(), VideoVariant(video_passthrough=True, cpu_usage_level=0))
    )
    assert build(video, has_audio=False) == (
        *HEAD,
        "-map", "v:0", "-c:v:0", "libx264", "-b:v:0", "1008k", "-maxrate:v:0", "1088k",
        "-g:v:0", "72", "-keyint_min:v:0", "72", "-r:v:0", "24",
        "-x264-params:v:0", "scenecut=0:open_gop=0", "-bufsize:v:0", "1088k",
        "-profile:v:0", "high",
        "-preset:v:0", "veryfast",
        "-map", "v:0", "-c:v:1", "copy", "-b:v:1", "1200k", "-preset:v:1", "ultrafast",
        "-var_stream_map", "v:0 v:1",
        *x264_tail(3, 10),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("video_bitrate", "b", "maxrate"),
    [(0, "1008k", "1088k"), (250, "250k", "270k"), (292, "100k", "108k"), (6000, "5808k", "6272k")],
)
def test_bitrate_rules(video_bitrate: int, b: str, maxrate: str) -> None:
    argv = build(VideoSettings(variants=(VideoVariant(video_bitrate=video_bitrate),)))
    assert argv[argv.index("-b:v:0") + 1] == b
    assert argv[argv.index("-maxrate:v:0") + 1] == maxrate
    assert argv[argv.index("-bufsize:v:0") + 1] == maxrate


def test_framerate_zero_means_24() -> None:
    argv = build(VideoSettings(latency_level=1, variants=(VideoVariant(framerate=0),)))
    assert argv[argv.index("-r:v:0") + 1] == "24"
    assert argv[argv.index("-g:v:0") + 1] == "48"


def test_ffreport_env_escapes_path() -> None:
    command = build_transcode_command(
        "ffmpeg",
        VideoSettings(),
        output_dir=OUT,
        segment_id="x",
        log_file=Path("/var/log/own:cast\\d/transcoder.log"),
    )
    assert dict(command.env) == {
        "FFREPORT": "file=/var/log/own\\:cast\\\\d/transcoder.log:level=32"
    }
    assert dict(build_transcode_command("ffmpeg", VideoSettings(), output_dir=OUT,
                                        segment_id="x").env) == {}  # fmt: skip


# ---- hardware codecs --------------------------------------------------------------------------


def one_variant(codec: str, **variant: object) -> VideoSettings:
    return VideoSettings(codec=codec, latency_level=0, variants=(VideoVariant(**variant),))  # type: ignore[arg-type]


def hw_tail(pix_fmt: str) -> list[str]:
    return [
        "-var_stream_map", "v:0,a:0",
        "-f", "hls", "-hls_time", "1", "-hls_list_size", "25",
        "-hls_flags", "program_date_time+independent_segments+omit_endlist+temp_file",
        "-segment_format_options", "mpegts_flags=mpegts_copyts=1",
        "-pix_fmt", pix_fmt, "-sc_threshold", "0",
        "-master_pl_name", "stream.m3u8",
        "-hls_segment_filename", "/data/hls/%v/stream-abc123-%d.ts",
        "-max_muxing_queue_size", "400",
        "/data/hls/%v/stream.m3u8",
    ]  # fmt: skip


def hw_video(codec: str) -> list[str]:
    return [
        "-map", "v:0", "-c:v:0", codec, "-b:v:0", "1008k", "-maxrate:v:0", "1088k",
        "-g:v:0", "24", "-keyint_min:v:0", "24", "-r:v:0", "24",
    ]  # fmt: skip


AUDIO_COPY = ["-map", "a:0?", "-c:a:0", "copy"]


def test_nvenc() -> None:
    assert build(one_variant("h264_nvenc", cpu_usage_level=3)) == (
        "ffmpeg", "-hide_banner", "-loglevel", "warning", "-hwaccel", "cuda",
        *HEAD[4:],
        *hw_video("h264_nvenc"), "-tune:v:0", "ll",
        *AUDIO_COPY, "-preset:v:0", "p4",
        *hw_tail("yuv420p"),
    )  # fmt: skip


def test_vaapi_without_scaling() -> None:
    assert build(one_variant("h264_vaapi")) == (
        "ffmpeg", "-hide_banner", "-loglevel", "warning",
        "-hwaccel", "vaapi", "-hwaccel_output_format", "vaapi",
        "-vaapi_device", "/dev/dri/renderD128",
        *HEAD[4:],
        *hw_video("h264_vaapi"),
        *AUDIO_COPY,
        "-filter:v:0", "hwupload=extra_hw_frames=64,format=vaapi",
        "-preset:v:0", "veryfast",
        *hw_tail("vaapi"),
    )  # fmt: skip


def test_vaapi_scaling_chains_scale_vaapi_then_upload() -> None:
    argv = build(one_variant("h264_vaapi", scaled_height=720))
    index = argv.index("-filter:v:0")
    assert argv[index - 2 : index + 2] == (
        "-sws_flags", "bilinear",
        "-filter:v:0", "scale_vaapi=-2:720,hwupload=extra_hw_frames=64,format=vaapi",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("codec", "pix_fmt"),
    [
        ("h264_qsv", "nv12"),
        ("h264_omx", "yuv420p"),
        ("h264_v4l2m2m", "nv21"),
        ("h264_videotoolbox", "nv12"),
    ],
)
def test_plain_hardware_codecs(codec: str, pix_fmt: str) -> None:
    assert build(one_variant(codec, cpu_usage_level=4)) == (
        *HEAD,
        *hw_video(codec),
        *AUDIO_COPY, "-preset:v:0", "fast",
        *hw_tail(pix_fmt),
    )  # fmt: skip


def test_x264_always_yuv420p_and_every_known_codec_builds() -> None:
    for codec in KNOWN_CODECS:
        argv = build(VideoSettings(codec=codec))
        assert argv.count("-pix_fmt") == 1
        if codec == "libx264":
            assert argv[argv.index("-pix_fmt") + 1] == "yuv420p"


def test_unknown_codec_is_named() -> None:
    with pytest.raises(ValueError, match="h265_magic"):
        build(VideoSettings(codec="h265_magic"))
    with pytest.raises(ValueError, match="h265_magic"):
        preset_for("h265_magic", 1)


@pytest.mark.parametrize(
    ("video", "message"),
    [
        (VideoSettings(variants=()), "at least one video variant"),
        (VideoSettings(latency_level=7), r"latency level must be 0\.\.4 \(got 7\)"),
    ],
)
def test_invalid_settings(video: VideoSettings, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(video)
    assert build(VideoSettings(latency_level=4))  # the edge of the range builds


@pytest.mark.parametrize("segment_id", ["", "a/b", "%d", "a\\b"])
def test_unsafe_segment_id(segment_id: str) -> None:
    with pytest.raises(ValueError, match="segment id"):
        build_transcode_command("ffmpeg", VideoSettings(), output_dir=OUT, segment_id=segment_id)
    command = build_transcode_command("ffmpeg", VideoSettings(), output_dir=OUT, segment_id="r1-b2")
    assert any("r1-b2" in arg for arg in command.argv)  # a plain id is used


def test_playlist_dir_moves_only_the_playlists() -> None:
    """Each ffmpeg run writes its playlists into its own directory; segments stay in OUT."""
    argv = build(VideoSettings(), playlist_dir=OUT / ".run-abc123")
    assert argv[-1] == "/data/hls/.run-abc123/%v/stream.m3u8"
    segment_pattern = argv[argv.index("-hls_segment_filename") + 1]
    assert segment_pattern == "/data/hls/%v/stream-abc123-%d.ts"
    assert argv[:-1] == build(VideoSettings())[:-1]
    with pytest.raises(ValueError, match="must not contain"):
        build(VideoSettings(), playlist_dir=Path("/data/%d"))


# ---- presets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", [c for c in KNOWN_CODECS if c != "h264_nvenc"])
def test_preset_table(codec: str) -> None:
    assert [preset_for(codec, level) for level in range(-1, 6)] == [
        "superfast", "ultrafast", "superfast", "veryfast", "faster", "fast", "superfast",
    ]  # fmt: skip


def test_nvenc_preset_table() -> None:
    assert [preset_for("h264_nvenc", level) for level in range(-1, 6)] == [
        "p3", "p1", "p2", "p3", "p4", "p5", "p3",
    ]  # fmt: skip
