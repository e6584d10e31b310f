"""Documents are parsed without positions; they are found when a message first needs them, and are the
same as a parse with positions would give (advisor/sources/yaml_source.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.shared.diagnostics import InvalidInput
from advisor.sources import yaml_source
from advisor.sources.yaml_source import Position, parse_yaml_text

ROOT = Path(__file__).resolve().parent.parent
TEXT = "title: T\nanswers:\n  a: 1\n  b: [x, z]\n  c:\n    d: no\n"


def _eager(text: str) -> tuple[dict, dict]:
    converter = yaml_source._Converter(Path("f.yaml"), "f.yaml")
    import yaml

    converter.convert(yaml.compose(text, Loader=yaml_source._Loader), ())
    return converter.value_at, converter.key_at


@pytest.mark.parametrize("text", [TEXT, *[p.read_text(encoding="utf-8")
                                          for p in sorted((ROOT / "scenarios").glob("*.yaml"))[:10]]])
def test_positions_found_later_are_the_ones_an_eager_parse_gives(text: str) -> None:
    doc = parse_yaml_text(text, Path("f.yaml"), "f.yaml")
    assert "value_at" not in doc.__dict__  # not worked out until asked for
    value_at, key_at = _eager(text)
    assert doc.value_at == value_at and doc.key_at == key_at


def test_a_lazy_document_locates_its_values_and_keeps_its_notices() -> None:
    doc = parse_yaml_text(TEXT, Path("f.yaml"), "f.yaml")
    assert doc.notices == ["no"]
    assert doc.locate(("answers", "b", 1)) == Position(4, 10)
    assert doc.locate(("answers", "c"), prefer_key=True) == Position(5, 3)
    assert doc.diagnostic(("answers", "a"), "k", "m").line == 3


def test_a_problem_found_without_positions_is_still_located() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_yaml_text("title: T\nanswers:\n  a: 1\n  a: 2\n  b: 012\n", Path("f.yaml"), "f.yaml")
    found = sorted((d.line, d.column, d.kind) for d in exc.value.diagnostics)
    assert found == [(4, 3, "duplicate_key"), (5, 6, "ambiguous_number")]
    assert "first defined at line 3" in str(exc.value)


def test_a_pickled_document_leaves_its_nodes_behind() -> None:
    import pickle

    doc = parse_yaml_text(TEXT, Path("f.yaml"), "f.yaml")
    state = doc.__getstate__()
    assert "_nodes" not in state and "data" not in state
    assert pickle.loads(pickle.dumps(doc)).shown_path == "f.yaml"


PIECES = ["a: 1", "b: [x, 2, yes]", "c:\n  d: no\n  e: 1.5", "a: again", "'<<': q", "<<: {z: 1}", "!!str 5: t",
          "f: !!python/name:os.system x", "g: 012", "3: three", "true: t", "h: ~", "i: [[1, [2]], {j: k}]",
          "k: !!map {l: m}", "n: &anchor [1, 2]", "o: *anchor", "p: '0x1F'", "q: 0x1F", "r: .inf", "s: |\n  text"]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6))
def test_the_pass_without_positions_gives_the_careful_pass_data_or_gives_up(lines: list[str]) -> None:
    import yaml

    text = "\n".join(lines) + "\n"
    try:
        node = yaml.compose(text, Loader=yaml_source._Loader)
    except yaml.YAMLError:
        return  # not YAML: neither pass runs
    careful = yaml_source._Converter(Path("f.yaml"), "f.yaml")
    data = careful.convert(node, ())
    quick = yaml_source._Converter(Path("f.yaml"), "f.yaml", positions=False)
    try:
        quick_data = quick.plain(node)
    except yaml_source._WithPositions:
        return  # the careful pass words it (or finds plain data the quick pass does not take on)
    assert not careful.errors and quick_data == data and quick.notices == careful.notices
    assert repr(quick_data) == repr(data)  # the same types too (1 and 1.0 and True compare equal)
