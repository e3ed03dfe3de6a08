"""The VOD playlist of a recording: EVENT while recording, VOD + ENDLIST once closed, and what
is read back from a live playlist or from what a crash left."""

from __future__ import annotations

from owncastd.core.replays.vod import VodPlaylist, VodSegment, master_playlist, parse_segments

LIVE = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:41
#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:00.000Z
#EXTINF:2.002000,
stream-aa-41.ts
#EXT-X-DISCONTINUITY
#EXTINF:1.5,
stream-bb-0.ts
#EXTINF:2,
"""


def test_live_playlist_segments_with_a_restart_and_a_cut_short_tail():
    segments, ended = parse_segments(LIVE)
    assert segments == [
        VodSegment("stream-aa-41.ts", 2.002),
        VodSegment("stream-bb-0.ts", 1.5, discontinuity=True),
    ]
    assert ended is False
    assert parse_segments(LIVE + "stream-bb-1.ts\n#EXT-X-ENDLIST\n")[1] is True


def test_unreadable_durations_count_as_zero():
    segments, _ = parse_segments(
        "#EXTINF:nan,\na.ts\n#EXTINF:abc,\nb.ts\n#EXTINF:-3,\nc.ts\nd.ts\n"
    )
    assert [s.duration for s in segments] == [0.0, 0.0, 0.0, 0.0]


def test_event_while_recording_then_vod_with_endlist():
    playlist = VodPlaylist()
    playlist.add(VodSegment("a.ts", 2.0))
    playlist.add(VodSegment("b.ts", 4.2, discontinuity=True))
    assert playlist.has("a.ts") and not playlist.has("c.ts")
    assert playlist.duration == 6.2
    assert playlist.render(closed=False) == (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-TARGETDURATION:5\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000000,\na.ts\n#EXT-X-DISCONTINUITY\n"
        "#EXTINF:4.200000,\nb.ts\n"
    )
    closed = playlist.render(closed=True)
    assert "#EXT-X-PLAYLIST-TYPE:VOD\n" in closed
    assert closed.endswith("b.ts\n#EXT-X-ENDLIST\n")
    # Read back (as after a crash), it is the same playlist.
    segments, ended = parse_segments(closed)
    assert ended and VodPlaylist(segments).render(closed=True) == closed


def test_a_first_segment_never_starts_with_a_discontinuity():
    playlist = VodPlaylist([VodSegment("a.ts", 2.0, discontinuity=True)])
    assert "DISCONTINUITY" not in playlist.render(closed=True)
    assert "#EXT-X-TARGETDURATION:1\n" in VodPlaylist().render(closed=True)


def test_master_playlist_lists_the_recorded_variants():
    assert master_playlist([(1, 3_000_000), (0, 0)]) == (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=3000000\n1/stream.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=1\n0/stream.m3u8\n"
    )


def test_covering_segments_and_the_offset_into_the_first():
    from owncastd.core.replays.vod import covering

    segments = [VodSegment(f"{n}.ts", 2.0) for n in range(5)]  # 0-2, 2-4, … 8-10
    chosen, offset = covering(segments, 3.0, 4.0)  # 3..7
    assert [s.name for s in chosen] == ["1.ts", "2.ts", "3.ts"] and offset == 1.0
    chosen, offset = covering(segments, 0.0, 2.0)
    assert [s.name for s in chosen] == ["0.ts"] and offset == 0.0
    assert covering(segments, 10.0, 2.0) == ([], 0.0)


def test_clip_range_of_a_range_and_of_the_last_seconds():
    from owncastd.replays.clips import clip_range

    text = VodPlaylist([VodSegment(f"{n}.ts", 2.0) for n in range(5)]).render(closed=False)
    playlist, offset, length = clip_range(text, None, 3.0)  # the last 3 s: 7..10
    assert [s.name for s in playlist.segments] == ["3.ts", "4.ts"]
    assert (offset, length) == (1.0, 3.0)
    playlist, offset, length = clip_range(text, 9.0, 5.0)  # cut short by the end
    assert ([s.name for s in playlist.segments], offset, length) == (["4.ts"], 1.0, 1.0)
    for start in (10.0, 11.0):
        try:
            clip_range(text, start, 2.0)
        except ValueError as exc:
            assert "before the end of the recording (10.0 s)" in str(exc)
        else:
            raise AssertionError("a clip past the end was accepted")
