"""LL-HLS playlists (RFC 8216bis): goldens, and strict parsing with the `m3u8` library (no
third-party HLS validator installs from a registry: npm's media-stream-validator only wraps
Apple's macOS tool)."""

from __future__ import annotations

import m3u8
from m3u8 import parser as m3u8_parser

from owncastd.hls.llhls.playlist import VariantEntry, master_playlist, media_playlist
from owncastd.hls.llhls.window import Part, Window

T0 = 1_796_000_000.0  # 2026-11-30T00:53:20Z


def window_with(parts_per_segment: list[int], keep: int = 8, end: bool = False) -> Window:
    """A window of 1 s segments made of 0.25 s parts (the first of each independent)."""
    window = Window(1.0, 0.26, keep)
    window.set_init(b"init")
    clock = T0
    for count in parts_per_segment:
        for index in range(count):
            window.add_part(Part(0.25, index == 0, b"part"), clock)
            clock += 0.25
    if end:
        window.end()
    return window


GOLDEN = """\
#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:1
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.780
#EXT-X-PART-INF:PART-TARGET=0.260
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-11-30T00:53:20.000Z
#EXTINF:1.00000,
0.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-11-30T00:53:21.000Z
#EXT-X-PART:DURATION=0.25000,URI="1.0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.25000,URI="1.1.m4s"
#EXT-X-PART:DURATION=0.25000,URI="1.2.m4s"
#EXT-X-PART:DURATION=0.25000,URI="1.3.m4s"
#EXTINF:1.00000,
1.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-11-30T00:53:22.000Z
#EXT-X-PART:DURATION=0.25000,URI="2.0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.25000,URI="2.1.m4s"
#EXT-X-PART:DURATION=0.25000,URI="2.2.m4s"
#EXT-X-PART:DURATION=0.25000,URI="2.3.m4s"
#EXTINF:1.00000,
2.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-11-30T00:53:23.000Z
#EXT-X-PART:DURATION=0.25000,URI="3.0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.25000,URI="3.1.m4s"
#EXT-X-PART:DURATION=0.25000,URI="3.2.m4s"
#EXT-X-PART:DURATION=0.25000,URI="3.3.m4s"
#EXTINF:1.00000,
3.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-11-30T00:53:24.000Z
#EXT-X-PART:DURATION=0.25000,URI="4.0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.25000,URI="4.1.m4s"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="4.2.m4s"
"""


def test_media_playlist_golden() -> None:
    # Segments 0–3 complete (4 parts each); segment 4 open with 2 parts.
    assert media_playlist(window_with([4, 4, 4, 4, 2])).decode() == GOLDEN


def test_media_playlist_parses_strictly_as_ll_hls() -> None:
    text = media_playlist(window_with([4, 4, 4, 4, 2])).decode()
    m3u8_parser.parse(text, strict=True)
    playlist = m3u8.loads(text)
    assert playlist.version == 9
    assert playlist.server_control.can_block_reload == "YES"
    assert playlist.server_control.part_hold_back >= 3 * playlist.part_inf.part_target
    assert [s.uri for s in playlist.segments] == ["0.m4s", "1.m4s", "2.m4s", "3.m4s", None]
    open_parts = playlist.segments[-1].parts
    assert [(p.uri, p.independent) for p in open_parts] == [("4.0.m4s", "YES"), ("4.1.m4s", None)]
    assert playlist.preload_hint.hint_type == "PART"
    assert playlist.preload_hint.uri == "4.2.m4s"
    assert all(part.duration <= playlist.part_inf.part_target for part in open_parts)
    assert playlist.segments[0].init_section.uri == "init.mp4"


def test_window_slides_and_hints_the_next_segment_when_due() -> None:
    # keep=2: segments 0–2 dropped; the open segment 5 has its 4 parts (1 s): its keyframe is
    # due, so the hint names the first part of segment 6.
    text = media_playlist(window_with([4, 4, 4, 4, 4, 4], keep=2)).decode()
    assert "#EXT-X-MEDIA-SEQUENCE:3\n" in text
    assert '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="6.0.m4s"' in text
    m3u8_parser.parse(text, strict=True)


def test_ended_playlist_has_endlist_and_no_hint() -> None:
    text = media_playlist(window_with([4, 4, 2], end=True)).decode()
    assert text.endswith("#EXTINF:0.50000,\n2.m4s\n#EXT-X-ENDLIST\n")
    assert "PRELOAD-HINT" not in text
    assert m3u8.loads(text).is_endlist


def test_restart_is_a_discontinuity_with_a_new_map() -> None:
    window = window_with([4, 2])
    window.set_init(b"init again")
    window.add_part(Part(0.25, True, b"part"), T0 + 10)
    text = media_playlist(window).decode()
    assert '#EXTINF:0.50000,\n1.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n' in text
    m3u8_parser.parse(text, strict=True)
    assert window.inits == {0: b"init", 1: b"init again"}


def test_master_playlist_golden_and_parse() -> None:
    text = master_playlist(
        [
            VariantEntry(1_392_000, "avc1.64001f,mp4a.40.2", 1280, 720),
            VariantEntry(600_000, "avc1.42c015", 426, 240),
        ]
    ).decode()
    assert text == (
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=1392000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720\n'
        "0/stream.m3u8\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=600000,CODECS="avc1.42c015",RESOLUTION=426x240\n'
        "1/stream.m3u8\n"
    )
    m3u8_parser.parse(text, strict=True)
    playlist = m3u8.loads(text)
    assert [p.stream_info.resolution for p in playlist.playlists] == [(1280, 720), (426, 240)]
