"""The plain-scenario check (advisor/sources/plain_scenario.py) accepts only what pydantic accepts, and
builds the same Scenario."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from advisor.models.scenario import Scenario
from advisor.sources.plain_scenario import plain_scenario
from advisor.sources.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parent.parent

ids = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,70}", fullmatch=True),
                st.sampled_from(["", "A", "a-b", "a\n", "1a", "a" * 64, "a" * 65, "é"]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
values = st.one_of(scalars, st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=3),
                   st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
keys = st.one_of(ids, st.integers(), st.booleans())
options = st.one_of(ids, st.lists(ids, max_size=3), st.integers(), st.none())
documents = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.none(), st.from_regex(r"[a-z0-9][a-z0-9_-]{0,85}", fullmatch=True),
                        st.sampled_from(["", "-a", "A", "a\n"]), st.integers()),
        "title": st.one_of(st.text(max_size=3), st.text(min_size=195, max_size=205), st.integers(), st.none()),
        "description": st.one_of(st.text(max_size=10), st.none(), st.integers()),
        "answers": st.one_of(st.dictionaries(keys, values, max_size=5), st.lists(st.integers(), max_size=2),
                             st.none()),
        "current": st.one_of(st.dictionaries(keys, options, max_size=3), st.text(max_size=2)),
        "other": st.integers(),
    },
)

good_ids = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
good_values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63),
                        st.floats(), st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3))
mostly_valid = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=200),
     "answers": st.dictionaries(st.one_of(good_ids, keys), st.one_of(good_values, values), max_size=6)},
    optional={
        "id": st.one_of(st.none(), st.from_regex(r"[a-z0-9][a-z0-9_-]{0,79}", fullmatch=True)),
        "description": st.text(max_size=10),
        "current": st.dictionaries(good_ids, st.one_of(good_ids, st.lists(good_ids, max_size=3), options),
                                   max_size=3),
    },
)


def _same(fast: Scenario, slow: Scenario) -> None:
    assert fast.model_fields_set == slow.model_fields_set
    assert list(fast.__dict__) == list(slow.__dict__)
    for name, value in slow.__dict__.items():
        mine = fast.__dict__[name]
        if isinstance(value, dict):
            assert list(mine) == list(value)  # key order: reports list answers in it
            for key, item in value.items():
                assert type(mine[key]) is type(item)
                assert mine[key] == item or (isinstance(item, float) and math.isnan(item) and math.isnan(mine[key]))
        else:
            assert type(mine) is type(value) and mine == value


@settings(max_examples=600, deadline=None)
@given(st.one_of(documents, mostly_valid))
def test_plain_check_agrees_with_pydantic(data: dict[str, Any]) -> None:
    fast = plain_scenario(data)
    try:
        slow = Scenario.model_validate(data)
    except ValidationError:
        assert fast is None, "accepted a document pydantic refuses"
        return
    if fast is not None:
        _same(fast, slow)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml"))[:40], ids=lambda p: p.name)
def test_shipped_scenarios_take_the_plain_path(path: Path) -> None:
    data = read_yaml_file(path).data
    fast = plain_scenario(data)
    assert fast is not None
    _same(fast, Scenario.model_validate(data))


def test_a_field_it_does_not_know_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from advisor.sources import plain_scenario as module

    monkeypatch.setattr(module, "_FIELDS", ("id", "title", "description", "answers"))
    assert plain_scenario({"title": "t", "answers": {}}) is None
