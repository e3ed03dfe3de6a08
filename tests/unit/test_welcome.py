"""The first start's "how to go live" text names the ports given to it, not Owncast's 1935."""

from __future__ import annotations

from owncastd.welcome import how_to_stream, url_host


def test_the_text_names_the_rtmp_and_web_ports_it_is_given() -> None:
    text = how_to_stream(
        rtmp_ip="0.0.0.0", rtmp_port=19350, web_ip="192.0.2.5", web_port=8081, key_hint="K"
    )
    assert "server         : rtmp://<this host>:19350/live" in text
    assert "stream key     : K" in text
    assert "Watch at http://192.0.2.5:8081/ and manage it at http://192.0.2.5:8081/admin" in text
    assert "1935/" not in text


def test_hosts_for_urls() -> None:
    assert url_host("0.0.0.0") == url_host("::") == url_host("") == "<this host>"
    assert url_host("127.0.0.1") == "127.0.0.1"
    assert url_host("::1") == "[::1]"
    assert url_host("stream.example") == "stream.example"
