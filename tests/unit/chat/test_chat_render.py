"""Message rendering: markdown → HTML reduced to Owncast's allow-list (develop §7.1), byte for
byte as Owncast writes it; XSS attempts fail."""

from __future__ import annotations

import re

import pytest

from owncastd.core.chat.emoji_catalog import Emoji, shortcode_table
from owncastd.core.chat.render import render_chat_body

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<img src="/img/emoji/ok.png" onerror="alert(1)" alt=":ok:">',
    "![x](javascript:alert(1))",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<form action=https://evil.example><button>x</button></form>",
    "<object data=x></object><embed src=x>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


@pytest.mark.parametrize("attack", XSS)
def test_xss_attempts_leave_no_active_content(attack: str) -> None:
    html = render_chat_body(attack)
    assert not re.search(r"<(script|svg|iframe|div|style|math|form|button|object|embed|meta)", html)
    assert not re.search(r"\son\w+\s*=", html)
    assert "javascript:" not in html.lower().replace("[x](javascript:", "")
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://"))
    for src in re.findall(r'src="([^"]*)"', html):
        assert src.startswith("/img/emoji/")


def test_markdown_link_trick_stays_text() -> None:
    assert render_chat_body("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


def test_links_open_in_new_tab_without_referrer() -> None:
    html = render_chat_body("see https://example.com/a?b=1 and [docs](http://docs.example)")
    assert html.count('rel="nofollow noreferrer noopener" target="_blank"') == 2
    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="http://docs.example"' in html


def test_relative_and_titled_links_lose_what_is_not_allowed() -> None:
    assert render_chat_body("[home](/admin)") == "<p>home</p>"  # stricter than Owncast
    assert render_chat_body('[x](https://a.example "title")') == (
        '<p><a href="https://a.example" rel="nofollow noreferrer noopener" target="_blank">'
        "x</a></p>"
    )


def test_allowed_formatting_survives_in_its_paragraph() -> None:
    assert render_chat_body("**b** *i* `c`") == (
        "<p><strong>b</strong> <em>i</em> <code>c</code></p>"
    )
    assert render_chat_body("<b>bold</b> <i>it</i>") == "<p>bold it</p>"


def test_headings_and_lists_are_reduced_to_their_text() -> None:
    assert render_chat_body("# hi") == "hi"
    assert render_chat_body("- item") == "item"
    assert render_chat_body("~~no~~ | a |") == "<p>~~no~~ | a |</p>"  # no GFM


def test_custom_emoji_image_kept_other_images_removed() -> None:
    emoji = '<img src="/img/emoji/blob.png" class="emoji" alt=":blob:" title=":blob:">'
    assert render_chat_body(emoji) == emoji
    assert render_chat_body("![cat](https://cats.example/cat.png)") == ""
    assert render_chat_body('<img src="/img/emoji/../../owncast.db" alt=":x:">') == ""
    kept = render_chat_body('<img src="/img/emoji/a.png" alt="any text" lang="en" alt="">')
    assert kept == '<img src="/img/emoji/a.png" alt="any text">'
    unclassed = render_chat_body('x <img src="/img/emoji/a.png" class="emojix y" alt="">')
    assert unclassed == '<p>x <img src="/img/emoji/a.png"></p>'


def test_html_is_escaped_text_when_not_a_tag() -> None:
    assert render_chat_body("a < b > c & d") == "<p>a &lt; b &gt; c &amp; d</p>"


def test_empty_renders_to_nothing() -> None:
    assert render_chat_body("") == ""
    assert render_chat_body("   ") == ""
    assert render_chat_body("<script>x</script>") == ""
    assert render_chat_body("![cat](https://cats.example/cat.png)") == ""


OWNCAST_EXAMPLES = [  # develop §7.1, byte for byte
    ("hello", "<p>hello</p>"),
    ("hi", "<p>hi</p>"),
    (
        "http://x.com",
        '<p><a href="http://x.com" rel="nofollow noreferrer noopener" target="_blank">'
        "http://x.com</a></p>",
    ),
    ("_a_ **b**", "<p><em>a</em> <strong>b</strong></p>"),
    ("  padded  ", "<p>padded</p>"),
    ("<iframe src=https://evil.example></iframe>", ""),
    ("## heading", "heading"),
]


@pytest.mark.parametrize(("text", "body"), OWNCAST_EXAMPLES)
def test_bodies_match_owncast(text: str, body: str) -> None:
    assert render_chat_body(text) == body


def test_text_is_escaped_as_go_writes_it() -> None:
    assert render_chat_body('it\'s "x" a\u00a0b') == "<p>it&#39;s &#34;x&#34; a\u00a0b</p>"
    link = render_chat_body('http://x.example/?a=1&b="2"')
    assert link.startswith('<p><a href="http://x.example/?a=1&amp;b=%222%22" rel=')


def test_only_http_links_are_linkified() -> None:
    assert render_chat_body("www.x.example ftp://a.example mailto:a@b.example //x.example") == (
        "<p>www.x.example ftp://a.example mailto:a@b.example //x.example</p>"
    )


EMOJI = shortcode_table(
    [Emoji("Blob", "/img/emoji/Blob.png"), Emoji("party", "/img/emoji/p/party.gif")]
)


def test_custom_emoji_shortcodes_render_case_insensitively() -> None:
    assert render_chat_body("hey :blob: :PARTY:", EMOJI) == (
        '<p>hey <img src="/img/emoji/Blob.png" class="emoji" alt=":Blob:" title=":Blob:"> '
        '<img src="/img/emoji/p/party.gif" class="emoji" alt=":party:" title=":party:"></p>'
    )


def test_unknown_shortcodes_and_code_spans_stay_text() -> None:
    assert render_chat_body(":smile: `:blob:` :blob", EMOJI) == (
        "<p>:smile: <code>:blob:</code> :blob</p>"
    )
    assert render_chat_body(":blob:") == "<p>:blob:</p>"  # no catalog, no emoji


EMOJI_ESCAPES = [
    "/img/emoji/%2e%2e/%2e%2e/api/admin/update/forcequit",  # browsers treat %2e%2e as ..
    "/img/emoji/%2E%2E/%2E%2E/api/admin/disconnect",
    "/img/emoji/.%2e/.%2e/api/admin/yp/reset",
    "/img/emoji/%252e%252e/%252e%252e/api/admin/update/forcequit",  # double encoding
    "/img/emoji/..%2f..%2fapi/admin/update/forcequit",
    "/img/emoji/..%5c..%5capi/admin/update/forcequit",
    "/img/emoji/a\\..\\..\\api\\admin\\update\\forcequit",
    "/img/emoji/..\\..\\api/admin/disconnect",
    "/img/emoji/x/../../../api/admin/disconnect",
    "/img/emoji/./x.png",
    "/img/emoji/.hidden.png",
    "/img/emoji//evil.example/x.png",
    "/img/emoji/x.png?../../api",
    "/img/emoji/x.png#frag",
    "/img/emoji/x png.png",
    "/img/emoji/\u00e9.png",
    "/img/emoji/x.png\n",
    "/img/emoji/",
]


@pytest.mark.parametrize("src", EMOJI_ESCAPES)
@pytest.mark.parametrize("quote", ["raw", "entities"])
def test_emoji_src_cannot_leave_the_emoji_directory(src: str, quote: str) -> None:
    """However it is encoded, an emoji src that a browser could resolve outside /img/emoji/
    (the reported attack: GET an admin action from every viewer) does not survive."""
    good = "/img/emoji/x.png"  # the control: a src that stays in the directory
    if quote == "entities":  # the attribute written with character references
        src = "".join(f"&#{ord(c)};" for c in src)
        good = "".join(f"&#{ord(c)};" for c in good)
    html = render_chat_body(f'<img src="{src}" alt=":x:" class="emoji">')
    assert "<img" not in html, html
    kept = render_chat_body(f'<img src="{good}" alt=":x:" class="emoji">')
    assert '<img src="/img/emoji/x.png"' in kept, kept


@pytest.mark.parametrize(
    "src", ["/img/emoji/a.png", "/img/emoji/Cat_2-b.webp", "/img/emoji/blob/party.gif"]
)
def test_emoji_files_named_like_uploads_survive(src: str) -> None:
    emoji = f'<img src="{src}" alt=":x:" class="emoji">'
    assert render_chat_body(emoji) == emoji
