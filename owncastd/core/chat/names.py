"""Display-name rules (reference §2.7): cleaning, the 30-character cap, forbidden words,
suggested or generated names at registration and random colours."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Sequence

import nh3

from owncastd.core.chat.models import MAX_USER_COLOR

MAX_NAME_LENGTH = 30
TAKEN_SUFFIX_LENGTH = 3
MIN_SUGGESTED_NAMES = 10
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SPACES = re.compile(r"\s+")
_MAX_CLEAN_PASSES = 8

# Generated names read like Owncast's phrases ("adjective-noun").
_ADJECTIVES = (
    "amazing", "brave", "calm", "clever", "cosmic", "curious", "dapper", "eager", "fancy",
    "gentle", "happy", "jolly", "kind", "lively", "lucky", "mellow", "nimble", "quiet", "rapid",
    "shiny", "sleepy", "sunny", "swift", "witty", "zesty",
)  # fmt: skip
_NOUNS = (
    "badger", "comet", "falcon", "fox", "gecko", "heron", "koala", "lemur", "lynx", "marmot",
    "meteor", "narwhal", "otter", "owl", "panda", "pebble", "quokka", "raven", "robin",
    "sparrow", "tiger", "walrus", "wombat", "yak", "zebra",
)  # fmt: skip


def clean_display_name(raw: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Plain text only: tags and control/format characters removed, spaces collapsed, capped.

    One pass can leave a tag behind (a control character hidden inside `<script>` is removed
    after the tags are, `&lt;b&gt;` is unescaped), so passes repeat until the text stops
    changing; a name still changing after :data:`_MAX_CLEAN_PASSES` passes is nested markup and
    cleans to nothing.
    """
    text = raw[: limit * 8]
    for _ in range(_MAX_CLEAN_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text:
            return text[:limit].strip()
        text = cleaned
    return ""


def _clean_once(text: str) -> str:
    text = nh3.clean(text, tags=set())  # drops tags (and script/style content)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _SPACES.sub(" ", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()


def forbidden_word(name: str, forbidden: Iterable[str]) -> str | None:
    """The forbidden word that `name` contains (case-insensitive), if any.

    Owncast checks it the wrong way round (the name must be a substring of a forbidden word);
    we refuse names that *contain* one.
    """
    lowered = name.casefold()
    for word in forbidden:
        needle = word.strip().casefold()
        if needle and needle in lowered:
            return word
    return None


def with_taken_suffix(name: str, rng: random.Random) -> str:
    """`name` plus 3 random characters, still within the 30-character cap."""
    suffix = "".join(rng.choice(_SUFFIX_ALPHABET) for _ in range(TAKEN_SUFFIX_LENGTH))
    return name[: MAX_NAME_LENGTH - TAKEN_SUFFIX_LENGTH] + suffix


def generated_name(rng: random.Random) -> str:
    """A random two-word phrase."""
    return f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}"


def registration_name(
    header_name: str | None, body_name: str | None, suggested: Sequence[str], rng: random.Random
) -> str:
    """`X-Forwarded-User` wins over the body; else a suggested name (≥ 10 configured) or a
    generated phrase."""
    for candidate in (header_name, body_name):
        if candidate:
            cleaned = clean_display_name(candidate)
            if cleaned:
                return cleaned
    pool = [clean_display_name(n) for n in suggested]
    pool = [n for n in pool if n]
    if len(pool) >= MIN_SUGGESTED_NAMES:
        return rng.choice(pool)
    return generated_name(rng)


def random_color(rng: random.Random) -> int:
    """A display colour index, 0..7."""
    return rng.randint(0, MAX_USER_COLOR)
