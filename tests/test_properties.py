"""Property-based tests over the questionnaire space (issue 6).

Answers are generated from whatever questions the rule base has (each question left out, `unknown`,
or a valid value with edges such as the bounds and the empty multi-choice answer), so these tests
hold however the knowledge base grows. They run over the fixed rule base tests/hostile/rules_valid/
and over the shipped rules/. Properties:

- nothing crashes, for either engine;
- every decision ends recommended, undecided with something to ask (or with nothing left that more
  answers could change), or not_applicable;
- the durable-rules engine and the pure-Python oracle give byte-identical advice;
- a scenario file written with PyYAML's safe_dump reads back as the same answers (YAML 1.2 reading).

Examples are derandomized so CI is deterministic; bench/fuzz.py runs the long random version.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.inference.evaluation import Advisor
from advisor.models.advice import ScenarioRef
from advisor.models.questionnaire import Question
from advisor.render.json_format import render_json
from advisor.sources.answers import UNKNOWN, load_scenario
from advisor.sources.rulebase import RuleBase, load_rulebase
from tests.conftest import engine_masked

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from fuzz import status_problems  # one definition of "a proper final state"

ROOT = Path(__file__).resolve().parent.parent
RULE_BASES = {"fixture": ROOT / "tests" / "hostile" / "rules_valid", "shipped": ROOT / "rules"}
EXAMPLES = {"fixture": 200, "shipped": 60}  # a shipped-base example costs ~60 ms with both engines


def property_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def number_strategy(question: Question) -> st.SearchStrategy[Any]:
    low, high = question.min, question.max
    assert low is not None and high is not None
    ints = st.integers(math.ceil(low), math.floor(high))
    edges = st.sampled_from(sorted({low, high, min(max(0, low), high)}))
    if question.integer:
        return st.one_of(ints, edges.map(round))
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.one_of(ints, floats, edges)


def value_strategy(question: Question) -> st.SearchStrategy[Any]:
    if question.type == "boolean":
        return st.booleans()
    ids = [c.id for c in question.choices]
    if question.type == "single":
        return st.sampled_from(ids)
    if question.type == "multi":
        return st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))
    return number_strategy(question)


def answers_strategy(rulebase: RuleBase) -> st.SearchStrategy[dict[str, Any]]:
    """Raw scenario answers over every question of the rule base."""
    per_question = {
        qid: st.one_of(st.none(), st.none(), st.just(UNKNOWN), value_strategy(q))  # None: left out
        for qid, q in rulebase.questions.items()
    }
    return st.fixed_dictionaries(per_question).map(lambda d: {k: v for k, v in d.items() if v is not None})


class Pair:
    def __init__(self, rules: Path) -> None:
        self.rulebase = load_rulebase(rules)
        self.durable = Advisor(self.rulebase, "auto")  # durable-rules where this Python has it
        self.reference = Advisor(self.rulebase, "reference")


@pytest.fixture(scope="module", params=sorted(RULE_BASES))
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[str, Pair]]:
    p = Pair(RULE_BASES[request.param])
    yield request.param, p
    p.durable.close()


REF = ScenarioRef(id="property", title="Generated scenario")


def test_engines_agree_and_every_decision_ends_properly(pair: tuple[str, Pair]) -> None:
    name, p = pair

    @property_settings(EXAMPLES[name])
    @given(answers_strategy(p.rulebase))
    def check(raw: dict[str, Any]) -> None:
        answers = p.durable.check(raw)  # generated answers are valid by construction
        a = p.durable.advise(answers, REF)
        b = p.reference.advise(answers, REF)
        assert engine_masked(render_json(a)) == engine_masked(render_json(b)), \
            "durable-rules and the reference engine disagree"
        assert status_problems(p.durable, answers, a) == []
        # every known answer is either counted or listed as not counted (its question is not asked)
        assert {r.question for r in a.answers} | {i.question for i in a.ignored if i.value is not None} \
            == set(answers.known)

    check()


def test_generated_scenario_files_read_back_the_same(pair: tuple[str, Pair], tmp_path_factory: pytest.TempPathFactory
                                                      ) -> None:
    name, p = pair
    folder = tmp_path_factory.mktemp(f"roundtrip-{name}")

    @property_settings(50)
    @given(answers_strategy(p.rulebase))
    def check(raw: dict[str, Any]) -> None:
        path = folder / "generated.scenario.yaml"
        path.write_text(yaml.safe_dump({"title": "Generated", "answers": raw}, sort_keys=False), encoding="utf-8")
        loaded = load_scenario(p.rulebase, path)
        assert loaded.answers == p.durable.check(raw)

    check()


@pytest.mark.parametrize("text,value", [("1e5", 100000), ("1.5e3", 1500), ("0x10", 16), ("0o17", 15),
                                        ("+12", 12), ("12.0", 12), (".5", 0.5)])
def test_yaml12_numbers_are_numbers(tmp_path: Path, text: str, value: float) -> None:
    rules = load_rulebase(RULE_BASES["fixture"])
    path = tmp_path / "n.yaml"
    path.write_text(f"title: n\nanswers:\n  size_kb: {text}\n", encoding="utf-8")
    assert load_scenario(rules, path).answers.known["size_kb"] == value


EDGE_NUMBERS = (5e-324, 1e-323, 2.2250738585072014e-308, 1e-05, 0.1, 1 / 3, 5e15, 1e16 + 2.0)


def test_edge_numbers_reach_both_engines_intact(pair: tuple[str, Pair]) -> None:
    """Floats whose shortest form has an exponent but no point: the engine misreads them, and an
    answer of 5e-324 once crashed it (SIGSEGV); every number question gets each of them."""
    _, p = pair
    for qid, question in p.rulebase.questions.items():
        if question.type != "number" or question.integer:
            continue
        assert question.min is not None and question.max is not None
        for value in EDGE_NUMBERS:
            for signed in (value, -value):
                if question.min <= signed <= question.max:
                    answers = p.durable.check({qid: signed})
                    # straight to the engines: advise() leaves out answers to questions that are not asked
                    assert p.durable.infer(answers)[1] == p.reference.infer(answers)[1], (qid, signed)
                    assert engine_masked(render_json(p.durable.advise(answers, REF))) == \
                        engine_masked(render_json(p.reference.advise(answers, REF)))


_nested = st.recursive(
    st.one_of(st.integers(-5, 5), st.text("ab:-?[]{} #'\"", max_size=6), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text("ab:-?", min_size=1, max_size=3), inner, max_size=3)),
    max_leaves=40)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(data=_nested, flow=st.sampled_from([None, True, False]))
def test_the_cheap_depth_bound_never_undercounts(data: Any, flow: bool | None) -> None:
    """Files under the bound skip the event pass that guards the recursive composer, so the bound must
    hold for every document: block and flow style, one-pair mappings in flow sequences, odd keys."""
    from advisor.sources.yaml_source import _collections_bound

    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    depth = deepest = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    assert _collections_bound(text) >= deepest


@pytest.mark.parametrize("text", ["[a: 1, [b: 2, {c: [d: e]}]]", "? - a\n  - b\n: c\n", "- - - - x\n",
                                  "a:\n  b:\n    c: {}\n", "[? a, ? b]\n", "&x [*x]\n"])
def test_the_depth_bound_counts_every_collection_of_hand_written_corners(text: str) -> None:
    from advisor.sources.yaml_source import _collections_bound

    starts = sum(isinstance(e, yaml.CollectionStartEvent) for e in yaml.parse(text, Loader=yaml.SafeLoader))
    assert starts > 0 and _collections_bound(text) >= starts
