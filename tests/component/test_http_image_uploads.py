"""Uploaded images cannot carry script (issue 16): SVG logos are parsed and checked against an
allow-list (the regex they replaced let `<s:script xmlns:s=…>` through), emoji bytes must be the
declared raster type, and uploaded images are served with a sandboxing CSP and `nosniff`.
The browser side of the attack is in tests/browser/test_forged_admin_requests.py."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import owncastd.http
from owncastd.http.image_sniff import IMAGE_CSP
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401
from tests.component.chat_fixtures import ChatServer, chat_fixture
from tests.component.http_fixtures import WebHarness, web_fixture  # noqa: F401

__all__ = ["chat_fixture"]

SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
EVIL_SVGS = {
    "prefixed script": b'<svg xmlns="http://www.w3.org/2000/svg"><s:script '
    b'xmlns:s="http://www.w3.org/2000/svg">fetch("/api/admin/serverconfig")</s:script></svg>',
    "script in a default namespace redeclared": b'<svg xmlns="http://www.w3.org/2000/svg">'
    b'<g><script xmlns="http://www.w3.org/2000/svg">alert(1)</script></g></svg>',
    "xhtml script": b'<svg xmlns="http://www.w3.org/2000/svg"><h:script '
    b'xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "prefixed handler": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg">'
    b'<rect s:onclick="alert(1)"/></svg>',
    "handler in mixed case": SVG_OPEN + b'<rect ONMOUSEOVER="alert(1)"/></svg>',
    "use of an external file": SVG_OPEN + b'<use href="http://127.0.0.1:1/x.svg#a"/></svg>',
    "use via xlink": SVG_OPEN + b'<use xlink:href="//evil.example/x.svg#a"/></svg>',
    "xlink javascript": SVG_OPEN + b'<a xlink:href="javascript:alert(1)"><rect/></a></svg>',
    "javascript with entities": SVG_OPEN + b'<a href="&#106;avascript:alert(1)"><rect/></a></svg>',
    "image of an svg": SVG_OPEN + b'<image href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>',
    "foreignObject": SVG_OPEN + b"<foreignObject><p>hi</p></foreignObject></svg>",
    "set animation": SVG_OPEN
    + b'<a><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>',
    "external entity": b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "undeclared entity": b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "stylesheet instruction": b'<?xml-stylesheet href="http://evil.example/x.css"?>'
    b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    "css import": SVG_OPEN + b"<style>@import url(http://evil.example/x.css);</style></svg>",
    "css external url": SVG_OPEN + b"<rect style=\"fill: url( 'http://e.example/a#b')\"/></svg>",
    "css escape": SVG_OPEN + b"<style>rect { fill: u\\72l(http://e.example/) }</style></svg>",
    "no svg namespace": b'<svg onload="alert(1)"></svg>',
    "html root": b'<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>',
    "utf-7 declared": b'<?xml version="1.0" encoding="UTF-7"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "utf-16": '<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
    "not xml": b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>",
    "css after an element inside <style>": b'<svg xmlns="http://www.w3.org/2000/svg"><style>'
    b"<style></style>@import url(https://evil.example/x.css);</style></svg>",
}
GOOD_SVGS = {
    "minimal": b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">'
    b'<rect width="1" aria-hidden="true"/></svg>',
    "gradient and use": SVG_OPEN + b'<defs><linearGradient id="g"><stop offset="0" '
    b'stop-color="#fff"/></linearGradient><path id="p" d="M0 0h1v1z"/></defs>'
    b'<use xlink:href="#p" fill="url(#g)" style="stroke: url(\'#g\')"/>'
    b"<style>rect { fill: #123 }</style><title>Logo</title></svg>",
    "inkscape": b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- made by hand -->'
    b'<svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    b'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" viewBox="0 0 10 10" '
    b'inkscape:version="1.3"><sodipodi:namedview id="n" inkscape:zoom="1"/><metadata>'
    b'<rdf:RDF><rdf:Description rdf:about=""/></rdf:RDF></metadata>'
    b'<g inkscape:label="Layer" inkscape:groupmode="layer"><circle cx="5" cy="5" r="4"/>'
    b"</g></svg>",
    "bundled logo": (Path(owncastd.http.__file__).parent / "static/img/logo.svg").read_bytes(),
}


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.mark.parametrize("case", list(EVIL_SVGS))
async def test_malicious_svg_logos_are_refused(admin: AdminHarness, case: str) -> None:
    before = admin.config_text()
    response, body = await admin.set_config("logo", data_uri("image/svg+xml", EVIL_SVGS[case]))
    assert response.status_code == 400, body
    assert body["success"] is False and "SVG" in body["message"]
    assert admin.config_text() == before
    assert not list(admin.paths.data_dir.glob("logo-*"))


@pytest.mark.parametrize("case", list(GOOD_SVGS))
async def test_ordinary_svg_logos_are_taken_and_served_sandboxed(
    admin: AdminHarness, case: str
) -> None:
    response, body = await admin.set_config("logo", data_uri("image/svg+xml", GOOD_SVGS[case]))
    assert response.status_code == 200, body
    served, payload = await admin.get("/logo", auth=False)
    assert payload == GOOD_SVGS[case]
    assert served.headers["Content-Type"] == "image/svg+xml"
    assert served.headers["Content-Security-Policy"] == IMAGE_CSP
    assert "sandbox" in IMAGE_CSP and "default-src 'none'" in IMAGE_CSP
    assert served.headers["X-Content-Type-Options"] == "nosniff"


async def test_public_images_are_served_sandboxed(web: WebHarness) -> None:
    web.write(web.paths.public_dir, "badge.svg", GOOD_SVGS["minimal"])
    web.write(web.paths.public_dir, "badge.png", PNG)
    web.write(web.paths.public_dir, "notes.txt", b"hello")
    for name in ("badge.svg", "badge.png"):
        response = await web.get(f"/public/{name}")
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == IMAGE_CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (await web.get("/public/notes.txt")).status_code == 200


EMOJI_MISMATCHES = [
    ("image/png", GIF),
    ("image/gif", PNG),
    ("image/jpeg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("image/webp", b"<html><script>alert(1)</script></html>"),
    ("image/png", b"RIFF\x00\x00\x00\x00WEBPVP8 "),
]


@pytest.mark.parametrize(("mime", "data"), EMOJI_MISMATCHES)
async def test_emoji_bytes_must_match_the_declared_type(
    chat: ChatServer, mime: str, data: bytes
) -> None:
    response = await chat.admin_post(
        "/api/admin/emoji/upload", {"name": "liar", "data": data_uri(mime, data)}
    )
    assert response.status_code == 400, response.text
    assert f"declared {mime}" in response.json()["message"]
    assert not list((chat.data_dir / "emoji").glob("liar*"))


async def test_emoji_of_every_raster_type_are_taken_and_served_sandboxed(chat: ChatServer) -> None:
    for name, mime, data in [("p", "image/png", PNG), ("g", "image/gif", GIF)]:
        response = await chat.admin_post(
            "/api/admin/emoji/upload", {"name": name, "data": data_uri(mime, data)}
        )
        assert response.status_code == 200, response.text
    async with chat.http() as client:
        served = await client.get("/img/emoji/g.gif")
    assert served.content == GIF and served.headers["Content-Type"] == "image/gif"
    assert served.headers["Content-Security-Policy"] == IMAGE_CSP
    assert served.headers["X-Content-Type-Options"] == "nosniff"
