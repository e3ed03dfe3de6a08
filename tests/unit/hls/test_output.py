"""HLS output directory: segment listing, cleanup, ENDLIST, reset."""

from __future__ import annotations

import os

from owncastd.hls.output import HlsOutput, listed_segments

PLAYLIST = (
    "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:3\n"
    "#EXTINF:1.000000,\nstream-abc-3.ts\n#EXTINF:1.000000,\nstream-abc-4.ts\n"
)


def make_variant(output: HlsOutput, index: int, segments: int) -> None:
    directory = output.root / str(index)
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(segments):
        path = directory / f"stream-abc-{n}.ts"
        path.write_bytes(b"ts")
        os.utime(path, ns=(n * 10**9, n * 10**9))
    (directory / "stream.m3u8").write_text(PLAYLIST)


def test_listed_segments_ignores_tags_and_blank_lines():
    assert listed_segments(PLAYLIST + "\n\n") == ["stream-abc-3.ts", "stream-abc-4.ts"]


def test_counts_and_newest_segment(tmp_path):
    output = HlsOutput(tmp_path / "hls")
    assert output.segments_listed(0) == 0
    assert output.newest_segment(0) is None
    make_variant(output, 0, 5)
    assert output.segments_listed(0) == 2
    assert output.newest_segment(0) == output.root / "0" / "stream-abc-4.ts"
    (output.root / "0" / "stream-abc-4.ts").unlink()
    assert output.newest_segment(0) == output.root / "0" / "stream-abc-3.ts"


def test_cleanup_keeps_playlist_length_plus_ten_newest(tmp_path):
    output = HlsOutput(tmp_path / "hls")
    make_variant(output, 0, 30)
    make_variant(output, 1, 5)
    assert output.cleanup(playlist_length=10) == 10
    kept = sorted(int(p.stem.split("-")[-1]) for p in (output.root / "0").glob("*.ts"))
    assert kept == list(range(10, 30))
    assert len(list((output.root / "1").glob("*.ts"))) == 5


def test_endlist_appended_once_to_every_variant(tmp_path):
    output = HlsOutput(tmp_path / "hls")
    make_variant(output, 0, 2)
    make_variant(output, 1, 2)
    assert output.append_endlist() == 2
    assert output.append_endlist() == 0
    for index in (0, 1):
        text = output.variant_playlist(index).read_text()
        assert text.endswith("stream-abc-4.ts\n#EXT-X-ENDLIST\n")
        assert text.count("#EXT-X-ENDLIST") == 1
    assert not list(output.root.rglob("*.tmp"))


def test_reset_wipes_and_recreates_variant_dirs(tmp_path):
    output = HlsOutput(tmp_path / "hls")
    make_variant(output, 0, 3)
    (output.root / "stream.m3u8").write_text("#EXTM3U\n")
    output.reset(variant_count=2)
    assert sorted(p.name for p in output.root.iterdir()) == ["0", "1"]
    assert not list(output.root.rglob("*.*"))
