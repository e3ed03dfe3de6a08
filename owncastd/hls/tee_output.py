"""The output half of the transcode argv when LL-HLS is on: one `tee` output, so each
variant is encoded once and muxed twice, to the classic HLS files and to fragmented MP4 on
a pipe per variant (`pipe:<fd>`) for the LL-HLS packager (hls/llhls).

ffmpeg 5.1's tee parses its target in two levels (slaves split on `|`, then each slave's
`[key=value:…]` options), each undoing one level of backslash escapes, so option values
are escaped twice and file names once. The HLS slave gets the same options as the classic
`-f hls` output except `segment_format_options`, which is not an option of the hls muxer
(the classic command's copy is ignored by it) and which the tee refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

FRAGMENT_MICROSECONDS = 200_000  # one LL-HLS part: 200 ms (+ one frame)
_MP4_FLAGS = "frag_keyframe+empty_moov+default_base_moof"
_VALUE_SPECIALS = "\\':=[]|,"
_TARGET_SPECIALS = "\\'|"


def _escape(text: str, specials: str) -> str:
    return "".join("\\" + ch if ch in specials else ch for ch in text)


def _slave(options: Sequence[tuple[str, str]], target: str) -> str:
    pairs = ":".join(f"{key}={_escape(value, _VALUE_SPECIALS)}" for key, value in options)
    return _escape(f"[{pairs}]{target}", _TARGET_SPECIALS)


def tee_output_args(
    hls_options: Sequence[tuple[str, str]],
    playlist_target: str,
    fragment_fds: Sequence[int],
    has_audio: bool,
) -> list[str]:
    """`-f tee <target>`: the HLS slave (`hls_options` as `-name value` pairs without the
    dash) writing `playlist_target`, then one fragmented-MP4 slave per variant."""
    slaves = [_slave([("f", "hls"), *hls_options], playlist_target)]
    for index, fd in enumerate(fragment_fds):
        select = f"v:{index},a:{index}" if has_audio else f"v:{index}"
        options = [
            ("select", select),
            ("f", "mp4"),
            ("movflags", _MP4_FLAGS),
            ("frag_duration", str(FRAGMENT_MICROSECONDS)),
        ]
        slaves.append(_slave(options, f"pipe:{fd}"))
    # The mp4 muxer needs the H.264 parameter sets out of band (avcC): a global header; the
    # TS muxer puts them back in front of each keyframe. Each fragment leaves at once.
    return ["-flags:v", "+global_header", "-flush_packets", "1", "-f", "tee", "|".join(slaves)]
