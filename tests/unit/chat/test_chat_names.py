"""Display names: cleaning, the cap, forbidden words (containment, done right), registration."""

from __future__ import annotations

import random
import re

from hypothesis import example, given
from hypothesis import strategies as st

from owncastd.core.chat.names import (
    MAX_NAME_LENGTH,
    clean_display_name,
    forbidden_word,
    registration_name,
    with_taken_suffix,
)

FORBIDDEN = ("owncast", "operator", "admin", "system")
_TAG_START = re.compile(r"<[A-Za-z/!?]")


def test_html_and_script_are_removed_from_names() -> None:
    assert clean_display_name("<script>alert(1)</script>bob") == "bob"
    assert clean_display_name("<b>al</b>ice") == "alice"
    assert clean_display_name("a < b") == "a < b"


def test_control_characters_and_spaces() -> None:
    assert clean_display_name("  al\tice\n\u202e\u200b  ") == "al ice"


def test_ten_thousand_characters_are_capped() -> None:
    assert len(clean_display_name("x" * 10_000)) == MAX_NAME_LENGTH


@given(st.text(max_size=500))
@example("<\x08script>alert(1)<\x08/script>")  # the control character goes after the tags did
@example("<\u200bimg src=x onerror=alert(1)>")
@example("&lt;script&gt;alert(1)")  # unescaped after the tags are stripped
@example("<<b>script>alert(1)")
def test_clean_names_are_short_plain_text(raw: str) -> None:
    name = clean_display_name(raw)
    assert len(name) <= MAX_NAME_LENGTH
    assert name == name.strip()
    assert "\n" not in name and "<script" not in name.lower()
    assert _TAG_START.search(name) is None  # nothing an HTML parser would read as markup


def test_cleaning_keeps_plain_text_with_angle_brackets() -> None:
    assert clean_display_name("I <3 you & a < b") == "I <3 you & a < b"
    assert clean_display_name("&lt;3 bob") == "<3 bob"
    assert clean_display_name("<" * 9 + "b>" * 9 + "x") == ""  # nested past the pass limit


def test_names_containing_a_forbidden_word_are_refused() -> None:
    assert forbidden_word("TheAdminGuy", FORBIDDEN) == "admin"
    assert forbidden_word("system", FORBIDDEN) == "system"
    assert forbidden_word("ad", FORBIDDEN) is None  # Owncast's inverted check would refuse this
    assert forbidden_word("alice", FORBIDDEN) is None
    assert forbidden_word("alice", ("", "  ")) is None


def test_registration_prefers_header_then_body_then_suggestions() -> None:
    rng = random.Random(1)
    suggested = [f"name{i}" for i in range(10)]
    assert registration_name("proxyuser", "body", suggested, rng) == "proxyuser"
    assert registration_name(None, "body", suggested, rng) == "body"
    assert registration_name(None, None, suggested, rng) in suggested
    generated = registration_name(None, "<script></script>", suggested[:9], rng)
    assert "-" in generated and generated not in suggested


def test_taken_suffix_keeps_the_cap() -> None:
    name = with_taken_suffix("y" * 30, random.Random(2))
    assert len(name) == MAX_NAME_LENGTH and name.startswith("y" * 27)
