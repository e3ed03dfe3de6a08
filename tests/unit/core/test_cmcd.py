"""The CMCD dictionary parser and what a report says (develop spec §5.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owncastd.core.cmcd import (
    CmcdReading,
    parse_dictionary,
    reading,
    session_id,
)
from owncastd.errors import CmcdParseError

KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
VALUES = st.one_of(
    st.just(True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=20).filter(lambda s: "\x00" not in s),
    st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True),  # bare tokens
)


def bare(value: object, quote_tokens: bool) -> bool:
    """Written without quotes: numbers, and (unless quoting all) alphanumeric tokens."""
    if isinstance(value, int):
        return True
    token = isinstance(value, str) and value.isalnum() and value[:1].isalpha()
    return token and not quote_tokens


def serialise(members: dict[str, object], *, quote_tokens: bool) -> str:
    parts = []
    for key, value in members.items():
        if value is True:
            parts.append(key)
        elif bare(value, quote_tokens):
            parts.append(f"{key}={value}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{key}="{escaped}"')
    return ",".join(parts)


def test_owncast_examples() -> None:
    assert parse_dictionary('br=3200,bs,d=4004,mtp=25400,ot=v,rtp=15000,sid="6e2fb550-c457"') == {
        "br": 3200,
        "bs": True,
        "d": 4004,
        "mtp": 25400,
        "ot": "v",
        "rtp": 15000,
        "sid": "6e2fb550-c457",
    }
    assert parse_dictionary('cid="a\\"b\\\\c", pr=1.08 ,sta=p') == {
        "cid": 'a"b\\c',
        "pr": 1.08,
        "sta": "p",
    }
    assert parse_dictionary("") == {}
    assert parse_dictionary(" , ,bs,") == {"bs": True}
    assert parse_dictionary('sid="x,y",n=1') == {"sid": "x,y", "n": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('sid="open', "unterminated string starting at position 4"),
        ('sid="a\\n"', "invalid escape at position 6"),
        ("=3", "invalid key '' at position 0"),
        ("a b=3", "invalid key 'a b' at position 0"),
        ("br=", "missing value for 'br' at position 3"),
        ('sid="a"x', "unexpected text after the string at position 7"),
        ('br=1"2', "stray quote in the value of 'br' at position 3"),
    ],
)
def test_bad_dictionaries_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(CmcdParseError) as caught:
        parse_dictionary(text)
    assert str(caught.value).startswith(message)


@given(st.text(max_size=200))
def test_any_text_parses_or_fails_with_a_parse_error(text: str) -> None:
    try:
        result = parse_dictionary(text)
    except CmcdParseError as exc:
        assert str(exc)
    else:
        assert all(isinstance(v, str | int | float | bool) for v in result.values())


@given(st.text(alphabet='ab=,"\\ 1.-', max_size=40))
def test_syntax_soup_parses_or_fails_with_a_parse_error(text: str) -> None:
    try:
        parse_dictionary(text)
    except CmcdParseError as exc:
        assert "position" in str(exc)


@given(st.dictionaries(KEYS, VALUES, max_size=8), st.booleans())
def test_serialised_dictionaries_round_trip(members: dict[str, object], quote: bool) -> None:
    assert parse_dictionary(serialise(members, quote_tokens=quote)) == members


def test_reading_consumes_the_owncast_keys() -> None:
    report = {"sta": "w", "mtp": 25400, "ltc": 1500, "bs": True, "e": "e", "ttlb": 320, "br": 3200}
    assert reading(report) == CmcdReading(
        player_state="w",
        bandwidth_kbps=25400,
        latency_seconds=1.5,
        download_seconds=0.32,
        bitrate_kbps=3200,
        errors=2,
        self_reporting=True,
    )
    junk = {"sta": "zz", "mtp": "fast", "ltc": -1, "bs": 1, "ttlb": 0}
    assert reading(junk) == CmcdReading(download_seconds=0.0)  # 0 ms is measured, not self


def test_session_id() -> None:
    assert session_id({"sid": "abc"}) == "abc"
    assert session_id({"sid": "x" * 65}) is None
    assert session_id({"sid": 3}) is None
    assert session_id({}) is None
