"""safe_text.json_text skips ASCII blocks before it runs its regular expression; whatever the text, it
must find exactly what the plain search finds and give the same escaped text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from advisor.shared import safe_text

ALPHABET = st.sampled_from(
    [
        "a",
        " ",
        "\n",
        '"',
        "\x7f",
        "\x80",
        "\x9f",
        "\xa0",
        "é",
        "›",
        "≤",
        "\u2028",
        "\u2029",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\u200b",
        "\ud800",
        "\udcff",
        "😀",
    ]
)


def plain(text: str, surrogates: bool) -> str:
    pattern = safe_text._JSON_RAW_OR_SURROGATE if surrogates else safe_text._JSON_RAW
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@given(st.lists(ALPHABET, max_size=40), st.integers(0, 3000), st.booleans())
def test_json_text_escapes_what_the_plain_search_finds(chars: list[str], padding: int, surrogates: bool) -> None:
    # ASCII padding puts the characters in later blocks, and on block boundaries
    for text in ("".join(chars), "x" * padding + "".join(chars), "".join(chars) + "y" * padding):
        assert safe_text.json_text(text, surrogates=surrogates) == plain(text, surrogates)


def test_a_single_character_at_every_block_boundary_is_found() -> None:
    size = safe_text._BLOCK
    for at in (0, size - 1, size, size + 1, 3 * size - 1):
        for char in ("\x7f", "\x85", "\u2028", "\u2067"):
            text = "a" * at + char + "b" * 10
            assert re.search(re.escape(char), safe_text.json_text(text)) is None
