"""The durable-rules C engine's fixed limits, and how a compiled rule base is split into rulesets within them.

The engine (durable-rules 2.0.x, src/rules/rules.h, state.h and rete.c) has fixed tables that it does
not always check; past some of them it loops forever instead of failing:

- Every property a ruleset tests gets a slot in one hash table of NEXT_BUCKET_LENGTH (512) slots.
  Measured: with 511 properties or more `create_ruleset` never returns, and with 510 asserting a fact
  fails (error 303); so a rule base with hundreds of questions cannot live in one ruleset.
- A rule joins at most MAX_MESSAGE_FRAMES (16) facts: a 17th pattern fails every assert (error 304).
- A ruleset holds at most MAX_ACTIONS (4096) rules (error 106), and one alpha node at most
  BETA_LIST_LENGTH (256) joins (error 108; see ruleset.ANCHOR_GROUP).
- One fact may match at most 64 different tests at once (MAX_TESTS_PER_FACT keeps a margin).

So the engine wrapper registers the rules in shards, each within a budget of properties and rules
(`plan_shards`). A rule that no shard can hold, or a rule base needing more than MAX_SHARDS shards, is
refused before the engine sees it (`capacity_problems`): loading fails with exit 2 and the rule's
location, and `advisor lint` reports the same problems as findings. The pure-Python reference engine
(`--engine reference`) has none of these limits. This module does not import the engine, so lint can
check a rule base without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.inference.compiler import CompiledRuleset, CompileError
from advisor.inference.durable.ruleset import (
    ANCHOR,
    ANCHOR_GROUP,
    DurableRuleset,
    anchor_pattern,
    build_ruleset,
    variant_properties,
)
from advisor.shared.diagnostics import Diagnostic
from advisor.sources.rulebase import RuleBase

MAX_SHARD_PROPERTIES = 480
"""Properties one shard may test, the wrapper's own included: a margin under the 512 slots of the engine's
table (NEXT_BUCKET_LENGTH), of which 511 (509 plus the wrapper's 2) were measured to work."""
WRAPPER_PROPERTIES = 2
"""Properties every shard tests for the wrapper itself (the session key and the sink's never-fact),
besides one anchor property per ANCHOR_GROUP anchored rules."""
MAX_SHARD_RULES = 2000
"""Engine rules per shard, well under MAX_ACTIONS (4096) with the wrapper's own rules."""
MAX_PATTERNS_PER_RULE = 16
"""MAX_MESSAGE_FRAMES: facts one engine rule (one alternative of a rule's condition) may join."""
MAX_SHARDS = 64
"""Every evaluation asserts its answers in every shard: past this, evaluation would crawl."""
MAX_TESTS_PER_FACT = 60
"""Different tests on one fact: the engine fails beyond 64 simultaneous alpha matches on one fact."""


class EngineCapacityError(CompileError):
    """The rule base exceeds what the durable-rules engine can hold (see capacity_problems)."""

    def __init__(self, problems: list[CapacityProblem]) -> None:
        super().__init__("; ".join(f"{p.rule}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CapacityProblem:
    rule: str
    """The logical rule id the problem is about (the rule that does not fit, or that pushes it over)."""
    message: str


def capacity_diagnostics(rulebase: RuleBase, problems: list[CapacityProblem]) -> list[Diagnostic]:
    """The problems located at their rules' conditions."""
    out = []
    for problem in problems:
        entry = rulebase.rule(problem.rule)
        out.append(entry.doc.diagnostic((*entry.loc, "when"), "engine_capacity", problem.message))
    return out


def plan_shards(ruleset: DurableRuleset) -> list[list[str]]:
    """The engine rules (by name, in file order) of each shard; EngineCapacityError when they do not fit."""
    problems = _test_problems(ruleset.compiled)
    shards, shard_problems = _plan(ruleset)
    if problems or shard_problems:
        raise EngineCapacityError(problems + shard_problems)
    return shards


def capacity_problems(compiled: CompiledRuleset) -> list[CapacityProblem]:
    """Why the durable-rules engine cannot hold this rule base (empty when it can)."""
    return _test_problems(compiled) + _plan(build_ruleset(compiled))[1]


def _test_problems(compiled: CompiledRuleset) -> list[CapacityProblem]:
    """Facts tested more different ways than the engine can match at once, each reported at the rule
    whose test goes past the limit."""
    tests: dict[str, set[str]] = {}
    over: dict[str, str] = {}
    for variant in compiled.variants:
        for fact, test in variant.positives:
            tests.setdefault(fact, set()).add(repr(test))
            if len(tests[fact]) > MAX_TESTS_PER_FACT:
                over.setdefault(fact, variant.rule)
    return [CapacityProblem(rule, f"'{fact}' is tested {len(tests[fact])} different ways (the engine allows "
                                  f"about {MAX_TESTS_PER_FACT}); reuse thresholds or derive a fact")
            for fact, rule in sorted(over.items())]


def _plan(ruleset: DurableRuleset) -> tuple[list[list[str]], list[CapacityProblem]]:
    """Fill shards in file order, each up to its budget of properties and rules (deterministic for a
    given rule base, so a batch gives the same results whatever ran before)."""
    variants = {v.name: v for v in ruleset.compiled.variants}
    problems: list[CapacityProblem] = []
    too_wide: set[str] = set()
    shards: list[list[str]] = []
    current: list[str] = []
    tested: set[str] = set()
    anchored = 0
    for name, rule in ruleset.rules.items():
        variant = variants[name]
        patterns = rule["all"]
        if len(patterns) > MAX_PATTERNS_PER_RULE:
            if variant.rule not in too_wide:
                too_wide.add(variant.rule)
                problems.append(CapacityProblem(variant.rule, (
                    f"an alternative of this condition joins {len(patterns)} facts (unknown tests count one more); "
                    f"the durable-rules engine joins at most {MAX_PATTERNS_PER_RULE}: split the rule, derive an "
                    "intermediate fact, or evaluate with --engine reference")))
            continue
        needs = variant_properties(variant, ruleset.properties)
        anchors = anchored + (1 if patterns and patterns[0] == anchor_pattern(ANCHOR) else 0)
        if current and (_cost(tested | needs, anchors) > MAX_SHARD_PROPERTIES or len(current) >= MAX_SHARD_RULES):
            shards.append(current)
            current, tested = [], set()
            anchors -= anchored
            if len(shards) == MAX_SHARDS:
                problems.append(CapacityProblem(variant.rule, (
                    f"with this rule the rule base needs more than {MAX_SHARDS} durable-rules rulesets (each tests "
                    f"at most {MAX_SHARD_PROPERTIES} facts and holds {MAX_SHARD_RULES} rule alternatives); "
                    "evaluate with --engine reference")))
                break
        current.append(name)
        tested |= needs
        anchored = anchors
    shards.append(current)
    return shards, problems


def _cost(tested: set[str], anchored: int) -> int:
    """Properties a shard tests: the rules' own, the wrapper's, and one per group of anchored rules."""
    return len(tested) + WRAPPER_PROPERTIES + max(1, -(-anchored // ANCHOR_GROUP))
