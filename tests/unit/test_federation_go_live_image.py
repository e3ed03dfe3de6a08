"""Which stream image the go-live Note attaches (develop §1.8): preview.gif, else
thumbnail.jpg, else none."""

from __future__ import annotations

from owncastd.federation_wiring import _stream_image


async def test_preview_first_then_thumbnail_then_none(tmp_path):
    image = _stream_image(tmp_path)
    assert await image() is None
    (tmp_path / "thumbnail.jpg").write_bytes(b"jpg")
    assert await image() == "thumbnail.jpg"
    (tmp_path / "preview.gif").write_bytes(b"gif")
    assert await image() == "preview.gif"
    assert await _stream_image(None)() is None
