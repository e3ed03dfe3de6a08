"""The transcode argv with LL-HLS on: one tee output (classic HLS + fMP4 per variant)."""

from __future__ import annotations

from pathlib import Path

import pytest

from owncastd.config.settings import VideoSettings, VideoVariant
from owncastd.hls.command import build_transcode_command

TWO = VideoSettings(latency_level=0, variants=(VideoVariant(), VideoVariant(video_bitrate=600)))


def test_classic_command_has_no_tee() -> None:
    argv = build_transcode_command("ffmpeg", TWO, output_dir=Path("/d"), segment_id="r").argv
    assert "tee" not in argv and "-flags:v" not in argv
    assert argv[argv.index("-f", argv.index("-var_stream_map")) + 1] == "hls"


def test_low_latency_tees_hls_and_one_fmp4_pipe_per_variant() -> None:
    argv = build_transcode_command(
        "ffmpeg", TWO, output_dir=Path("/d"), segment_id="r", fragment_fds=(7, 9)
    ).argv
    assert "-var_stream_map" not in argv  # it moved into the HLS slave
    assert argv[-7:-1] == ("-flags:v", "+global_header", "-flush_packets", "1", "-f", "tee")
    assert argv[-9:-7] == ("-max_muxing_queue_size", "400")
    slaves = argv[-1].split("|")
    assert slaves == [
        r"[f=hls:var_stream_map=v\\:0\\,a\\:0 v\\:1\\,a\\:1:hls_time=1:hls_list_size=25:"
        r"hls_flags=program_date_time+independent_segments+omit_endlist+temp_file:"
        r"master_pl_name=stream.m3u8:hls_segment_filename=/d/%v/stream-r-%d.ts]"
        "/d/%v/stream.m3u8",
        r"[select=v\\:0\\,a\\:0:f=mp4:movflags=frag_keyframe+empty_moov+default_base_moof:"
        "frag_duration=200000]pipe:7",
        r"[select=v\\:1\\,a\\:1:f=mp4:movflags=frag_keyframe+empty_moov+default_base_moof:"
        "frag_duration=200000]pipe:9",
    ]


def test_tee_escapes_awkward_paths_twice_in_values_once_in_targets() -> None:
    argv = build_transcode_command(
        "ffmpeg",
        VideoSettings(variants=(VideoVariant(),)),
        output_dir=Path("/a:b'c|d"),
        segment_id="r",
        has_audio=False,
        fragment_fds=(5,),
    ).argv
    hls, mp4 = argv[-1].split("|[")  # the | between slaves is the only unescaped one
    assert r"hls_segment_filename=/a\\:b\\\'c\\\|d/%v/stream-r-%d.ts]" in hls
    assert hls.endswith(r"]/a:b\'c\|d/%v/stream.m3u8")
    assert mp4.startswith(r"select=v\\:0:f=mp4")


def test_one_pipe_per_variant() -> None:
    with pytest.raises(ValueError, match="one fragment pipe per variant"):
        build_transcode_command(
            "ffmpeg", TWO, output_dir=Path("/d"), segment_id="r", fragment_fds=(3,)
        )
