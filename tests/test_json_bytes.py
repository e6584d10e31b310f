"""The fast JSON writer (render_json_bytes: UTF-8 written directly, the JSON of recurring array elements kept) gives
the plain path's bytes exactly, and its safety test (safe_text.json_utf8_is_safe) never passes a character
json_text would escape."""

from __future__ import annotations

import gc
import re
import sys
import weakref
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.analysis.review import review_advice
from advisor.analysis.whatif import explain
from advisor.app.batch import evaluate_file
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice
from advisor.render import json_format
from advisor.shared import safe_text
from advisor.sources.answers import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def plain(advice: Advice) -> bytes:
    """What render_json wrote before the fast path: pydantic's text through json_text, then a newline."""
    return (json_format.dump_models(advice) + "\n").encode("utf-8")


def escaped_characters() -> list[str]:
    """Every character json_text escapes (surrogates aside: they cannot be UTF-8)."""
    every = "".join(chr(c) for c in range(0x7F, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    return safe_text._JSON_RAW.findall(every)


def test_every_character_json_text_escapes_is_seen_in_utf8() -> None:
    chars = escaped_characters()
    assert {chr(c) for c in safe_text._JSON_RAW_CODES} == set(chars)
    assert len(chars) > 100 and "\u2028" in chars and "\x7f" in chars and "\U000e0041" in chars
    for char in chars:
        for text in (char, "plain " + char, "arrow › " + char + " ≤ end", "—" * 3 + char):
            assert not safe_text.json_utf8_is_safe(text.encode()), repr(char)


def test_ordinary_text_is_safe_as_is() -> None:
    for text in ("", "ascii only", "arrows › → ≤ ≥ ≠, dashes – —, quotes ‘’ “”, … é ü 컴퓨팅 😀", "\u200c\u200d",
                 "no-break\xa0space, 20 °C, ± 5 µs, © ½, \u2065, \U000e0080 \U000e0100"):
        assert safe_text.json_utf8_is_safe(text.encode())
        assert safe_text.json_text(text) == text


ALPHABET = st.sampled_from(["a", "\n", "\x7f", "\x85", "\xa0", "\xad", "é", "›", "—", "≤", "\u2028", "\u202e",
                            "\u2065", "\u2066", "\u200b", "\u200c", "\u061c", "\u180e", "\ufeff", "😀",
                            "\U000e0041"])


@given(st.lists(ALPHABET, max_size=30))
def test_safe_means_json_text_changes_nothing(chars: list[str]) -> None:
    text = "".join(chars)
    safe = safe_text.json_utf8_is_safe(text.encode())
    assert safe == (safe_text._JSON_RAW.search(text) is None)
    if safe:
        assert safe_text.json_text(text) == text


def test_the_fast_writer_gives_the_plain_bytes(advisor: Advisor) -> None:
    files = sorted(SCENARIOS.glob("*.yaml"))
    advices = [o.advice for o in (evaluate_file(advisor, f) for f in files) if o.advice is not None]
    assert len(advices) > 20 and any(a.review is not None for a in advices)  # with and without a review
    for advice in advices + advices:  # the second round meets the kept decisions
        expected = plain(advice)
        assert json_format.render_json_bytes(advice) == expected
        assert json_format.render_json(advice) == expected.decode()
    layout = json_format._LAYOUT
    assert layout is not None
    # decisions not in play, trace entries and answers recur: their JSON was kept and used
    assert layout.arrays["decisions"].kept and layout.arrays["trace"].kept and layout.arrays["answers"].kept
    explained = explain(advisor, advices[0])  # new decision objects, what-if filled in
    assert json_format.render_json_bytes(explained) == plain(explained)
    assert json_format.render_json_batch(advices[:3]).encode() == b"[\n" + b",\n".join(
        re.sub(rb"(?m)^(?=.)", b"  ", plain(a)[:-1]) for a in advices[:3]) + b"\n]\n"


def test_elements_made_for_one_scenario_are_not_kept(advisor: Advisor, monkeypatch: pytest.MonkeyPatch) -> None:
    # from a clean slate: the advisor's memos legitimately share objects between scenarios, and earlier tests
    # rendered some of them in two reports already
    monkeypatch.setattr(json_format, "_LAYOUT", None)
    monkeypatch.setitem(json_format._WRITTEN, "reports", 1)  # past the first report of the process
    first, second = (evaluate_file(advisor, f).advice for f in sorted(SCENARIOS.glob("*.yaml"))[:2])
    assert first is not None and second is not None
    json_format.render_json_bytes(first)
    json_format.render_json_bytes(second)
    json_format.render_json_bytes(second)  # the same advice again is no sign that its objects recur
    layout = json_format._LAYOUT
    assert layout is not None and set(layout.arrays) >= {"decisions", "trace", "answers", "ignored", "derived"}
    for name, elements in layout.arrays.items():
        shared = {id(e) for e in getattr(first, name)} & {id(e) for e in getattr(second, name)}
        assert {key for key in elements.kept if key in {id(e) for e in getattr(second, name)}} <= shared, name
    assert layout.arrays["decisions"].kept  # decisions not in play are shared by both


def test_elements_seen_once_are_not_kept_alive(advisor: Advisor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(json_format._WRITTEN, "reports", 1)
    advice = evaluate_file(advisor, sorted(SCENARIOS.glob("*.yaml"))[0]).advice
    assert advice is not None and advice.trace
    copy = advice.model_copy(update={"trace": [entry.model_copy() for entry in advice.trace]})
    assert json_format.render_json_bytes(copy) == plain(copy)
    entry = weakref.ref(copy.trace[0])
    del copy
    gc.collect()
    assert entry() is None


def test_text_that_needs_escapes_or_cannot_be_utf8_takes_the_plain_path(advisor: Advisor, tmp_path: Path) -> None:
    scenario = tmp_path / "odd.scenario.yaml"
    scenario.write_text('title: "bidi \\u202e override, line\\u2028separator, DEL \\x7f"\n'
                        'description: "C1 \\x9b here"\nanswers: {}\n', encoding="utf-8")
    advice = evaluate_file(advisor, scenario).advice
    assert advice is not None
    data = json_format.render_json_bytes(advice)
    assert data == plain(advice) and b"\\u202e" in data and b"\\u2028" in data and b"\\u007f" in data
    loaded = load_scenario(advisor.rulebase, scenario)
    odd_name = loaded.scenario.model_copy(update={"id": "name-\udcff"})  # a file name that is not UTF-8
    surrogate = advisor.evaluate(loaded.__class__(loaded.id + "\udcff", odd_name, loaded.answers,
                                                  loaded.source + "\udcff", loaded.current))
    assert json_format.render_json_bytes(surrogate) == plain(surrogate)
    assert b"\\udcff" in json_format.render_json_bytes(surrogate)


def test_an_advice_without_decisions(advisor: Advisor) -> None:
    advice = evaluate_file(advisor, sorted(SCENARIOS.glob("*.yaml"))[0]).advice
    assert advice is not None
    empty = advice.model_copy(update={"decisions": []})
    assert json_format.render_json_bytes(empty) == plain(empty)
    assert b'"decisions": [],' in plain(empty)


def test_review_is_written_where_the_model_puts_it(advisor: Advisor) -> None:
    for path in sorted(SCENARIOS.glob("*.yaml")):
        loaded = load_scenario(advisor.rulebase, path)
        if loaded.current:
            advice = review_advice(advisor, advisor.evaluate(loaded), loaded.current)
            assert advice.review is not None
            assert json_format.render_json_bytes(advice) == plain(advice)
            return
    raise AssertionError("no shipped scenario states current choices")
