"""Trusted notices (SYSTEM/CHAT_ACTION from the server, the admin and integrations): markdown with
raw HTML, as Owncast renders it (develop §7.1), but nothing executable reaches a viewer."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from owncastd.core.chat.render import render_notice


def test_a_bots_html_link_arrives_as_a_link_with_goldmarks_newline() -> None:
    assert render_notice('<a href="https://x.example"><u>Click here</u></a>') == (
        '<p><a href="https://x.example"><u>Click here</u></a></p>\n'
    )


def test_markdown_and_allowed_markup() -> None:
    assert render_notice("**Live** now, _see_ https://x.example") == (
        '<p><strong>Live</strong> now, <em>see</em> <a href="https://x.example">'
        "https://x.example</a></p>\n"
    )
    assert render_notice("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    assert render_notice("a<br>b `c` <b>d</b> <i>e</i> <s>f</s>") == (
        "<p>a<br>b <code>c</code> <b>d</b> <i>e</i> <s>f</s></p>\n"
    )
    assert render_notice('say "hi"') == "<p>say &quot;hi&quot;</p>\n"  # goldmark's escaping


def test_links_may_be_mail_or_on_this_server() -> None:
    assert render_notice("[rules](/rules) [mail](mailto:a@b.example)") == (
        '<p><a href="/rules">rules</a> <a href="mailto:a@b.example">mail</a></p>\n'
    )


def test_images_only_from_this_server() -> None:
    assert render_notice('<img src="/logo" alt="logo">') == '<img src="/logo" alt="logo">'
    assert render_notice('<img src="/img/emoji/blob.png" alt=":blob:">') == (
        '<img src="/img/emoji/blob.png" alt=":blob:">'
    )
    for src in [
        "https://evil.example/x.png",
        "//evil.example/x.png",
        "/\\evil.example/x.png",
        "/api/admin/disconnect",
        "/admin",
        "/admin/",
        "/img/../api/admin/disconnect",
        "/img/%2e%2e/api/admin/disconnect",
        "/x.png?a",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
    ]:
        assert "<img" not in render_notice(f'x <img src="{src}" alt="a">'), src


def test_a_name_escaped_into_a_notice_stays_literal() -> None:
    from owncastd.core.chat.render import escape_markdown

    name = "<img src=x onerror=alert(1)>**b**"
    html = render_notice(f"**{escape_markdown(name)}** has been removed from chat.")
    assert html == (
        "<p><strong>&lt;img src=x onerror=alert(1)&gt;**b**</strong>"
        " has been removed from chat.</p>\n"
    )


ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<img src=/logo onerror=alert(1)>",
    '<a href="/ok" onclick="alert(1)" onmouseover="alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "<iframe src=https://evil.example></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=x></object><embed src=x>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<form action=https://evil.example><button formaction=javascript:alert(1)>x</button></form>",
    "<base href=https://evil.example/>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://ok.example" target="_self" style="color:red" id="x">x</a>',
    "<video src=x onerror=alert(1)></video><audio src=x></audio>",
    '<div onclick="alert(1)"><u>x</u></div>',
]


class _Elements(HTMLParser):
    """Every element a browser would build from the HTML, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


ALLOWED = {"a", "b", "blockquote", "br", "code", "em", "i", "img", "li", "ol", "p", "pre", "s"}
ALLOWED |= {"strong", "u", "ul"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_executable_survives(attack: str) -> None:
    parser = _Elements()
    parser.feed(render_notice(attack))
    for tag, attrs in parser.found:
        assert tag in ALLOWED, tag
        assert set(attrs) <= {"href", "src", "alt", "title"}, attrs
        for url in (attrs.get("href"), attrs.get("src")):
            if url is not None:
                assert url.startswith(("http://", "https://", "mailto:", "/")), url
                assert not url.startswith(("//", "/\\")), url
