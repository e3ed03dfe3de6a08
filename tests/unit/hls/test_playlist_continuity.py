"""The served playlist stays one continuous playlist across ffmpeg restarts (issue 16 §6):
the media sequence keeps counting, the new run starts with #EXT-X-DISCONTINUITY, and
#EXT-X-DISCONTINUITY-SEQUENCE counts the marked segments that slid out."""

from __future__ import annotations

from owncastd.hls.playlist import ContinuousPlaylist, parse_media_playlist

WINDOW = 3


def ffmpeg_playlist(run: str, first: int, last: int, window: int = WINDOW) -> str:
    """What ffmpeg writes after finishing segment `last` of a run (a sliding window)."""
    start = max(first, last - window + 1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        "#EXT-X-TARGETDURATION:2",
        f"#EXT-X-MEDIA-SEQUENCE:{start}",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for n in range(start, last + 1):
        lines += ["#EXTINF:2.000000,", f"#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:{n:02d}Z"]
        lines.append(f"stream-{run}-{n}.ts")
    return "\n".join(lines) + "\n"


def served(playlist: ContinuousPlaylist) -> dict[int, tuple[str, int]]:
    """media sequence number → (segment name, discontinuity sequence number) as a player
    reading the rendered text computes them (hls.js: cc starts at the discontinuity sequence,
    +1 at each tag)."""
    text = playlist.render()
    sequence = discontinuity = 0
    for line in text.splitlines():
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.split(":")[1])
        elif line.startswith("#EXT-X-DISCONTINUITY-SEQUENCE:"):
            discontinuity = int(line.split(":")[1])
    result: dict[int, tuple[str, int]] = {}
    for segment in parse_media_playlist(text).segments:
        if segment.discontinuity:
            discontinuity += 1
        result[sequence] = (segment.uri, discontinuity)
        sequence += 1
    return result


def test_a_restart_continues_the_sequence_with_one_discontinuity() -> None:
    playlist = ContinuousPlaylist(WINDOW)
    seen: dict[int, tuple[str, int]] = {}

    def poll(text: str) -> None:
        playlist.update(text)
        now = served(playlist)
        for number, entry in now.items():
            # A media sequence number always means the same segment in the same timeline.
            assert seen.setdefault(number, entry) == entry, (number, entry, seen[number])
        assert list(now) == sorted(now) and len(now) <= WINDOW

    playlist.start_run()
    for last in range(5):  # run "aaa" makes segments 0..4 (the last poll sees them all)
        poll(ffmpeg_playlist("aaa", 0, last))
    text = playlist.render()
    assert "#EXT-X-MEDIA-SEQUENCE:2" in text and "#EXT-X-DISCONTINUITY" not in text

    playlist.start_run()  # ffmpeg was killed; the new one numbers from 0 with new names
    poll(ffmpeg_playlist("aaa", 0, 4))  # (a stale read of the old run is ignored)
    poll(ffmpeg_playlist("bbb", 0, 0))
    text = playlist.render()
    assert text.splitlines()[-4:] == [
        "#EXT-X-DISCONTINUITY",
        "#EXTINF:2.000000,",
        "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z",
        "stream-bbb-0.ts",
    ]
    assert "#EXT-X-MEDIA-SEQUENCE:3" in text and "DISCONTINUITY-SEQUENCE" not in text
    assert seen[5] == ("stream-bbb-0.ts", 1)

    for last in range(1, 6):
        poll(ffmpeg_playlist("bbb", 0, last))
    text = playlist.render()
    # The marked segment slid out: the discontinuity sequence says so.
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:1" in text
    assert "#EXT-X-DISCONTINUITY\n" not in text
    assert "#EXT-X-MEDIA-SEQUENCE:8" in text
    assert served(playlist) == {8: ("stream-bbb-3.ts", 1), 9: ("stream-bbb-4.ts", 1),
                                10: ("stream-bbb-5.ts", 1)}  # fmt: skip


def test_two_restarts_and_a_run_that_wrote_nothing() -> None:
    playlist = ContinuousPlaylist(WINDOW)
    playlist.start_run()
    playlist.start_run()  # the first ffmpeg died before writing any segment: no discontinuity
    playlist.update(ffmpeg_playlist("aaa", 0, 1))
    playlist.start_run()
    playlist.update(ffmpeg_playlist("bbb", 0, 0))
    playlist.start_run()
    playlist.update(ffmpeg_playlist("ccc", 0, 0))
    assert served(playlist) == {
        1: ("stream-aaa-1.ts", 0),
        2: ("stream-bbb-0.ts", 1),
        3: ("stream-ccc-0.ts", 2),
    }
    playlist.update(ffmpeg_playlist("ccc", 0, 2))
    text = playlist.render()
    # bbb-0's tag slid out (ccc-0 keeps its own): players still number the timelines alike.
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:1" in text and "#EXT-X-MEDIA-SEQUENCE:3" in text
    assert served(playlist) == {3: ("stream-ccc-0.ts", 2), 4: ("stream-ccc-1.ts", 2),
                                5: ("stream-ccc-2.ts", 2)}  # fmt: skip


def test_target_duration_covers_every_listed_segment() -> None:
    playlist = ContinuousPlaylist(WINDOW)
    playlist.start_run()
    long_segment = ffmpeg_playlist("aaa", 0, 0).replace("#EXTINF:2.000000,", "#EXTINF:3.400000,")
    playlist.update(long_segment)
    assert "#EXT-X-TARGETDURATION:4" in playlist.render()
