"""The durable-rules C engine's fixed limits, and how a compiled rule base is split into rulesets within them.

The engine (durable-rules 2.0.x, src/rules/rules.h, state.h and rete.c) has fixed tables that it does
not always check; past some of them it loops forever instead of failing:

- Every property a ruleset tests gets a slot in one hash table of NEXT_BUCKET_LENGTH (512) slots.
  Measured: with 511 properties or more `create_ruleset` never returns, and with 510 asserting a fact
  fails (error 303); so a rule base with hundreds of questions cannot live in one ruleset.
- A rule joins at most MAX_MESSAGE_FRAMES (16) facts: a 17th pattern fails every assert (error 304).
- A ruleset holds at most MAX_ACTIONS (4096) rules (error 106), and one alpha node at most
  BETA_LIST_LENGTH (256) joins (error 108) and NEXT_LIST_LENGTH (128) absence tests (error 107).
- A fact holds fewer than MAX_OBJECT_PROPERTIES (255) properties, its session key and id included
  (state.h); the answers of a shard travel as one wide fact (see ruleset), so a shard tests at most
  MAX_SHARD_PROPERTIES of them.
- The engine matches a fact by a depth-first walk of its alpha network whose stack of pending nodes holds
  MAX_STACK_SIZE (64) entries (events.c handleAlpha: a node pushes every child whose test holds and every
  absence test whose property is missing; past 64 the assert fails with error 303). `alpha_groups`
  bounds that walk for the wide fact whatever the rules (see there); a small (derived) fact pushes the
  sink's absence test plus the distinct chains on its own properties, at most one per distinct test on
  it (MAX_TESTS_PER_FACT).

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
from advisor.inference.durable.ruleset import DurableRuleset, build_ruleset, variant_properties
from advisor.shared.diagnostics import Diagnostic
from advisor.sources.rulebase import RuleBase

MAX_SHARD_PROPERTIES = 120
"""Properties one shard may test, the wrapper's own included. Its wide fact carries at most these plus the
engine's id: under the 255 a fact may hold (MAX_OBJECT_PROPERTIES), with the fact's property table at most
half full (a missing property, what absence tests look up, is found missing in a probe or two); and far
under the 512 slots of the engine's property table (NEXT_BUCKET_LENGTH). Why not more: the alpha walk
scans every property of the fact at each node it visits, and every firing's message carries the whole
wide fact, so smaller shards were faster on heavy scenarios (measured at 636 rules, one process, medians
per generated heavy scenario: 200 properties, 3 shards: 1.39 ms; 150: 1.28; 120, 5 shards: 1.27; 100:
1.23; 80: 1.16) and no slower on shipped ones (0.13 to 0.14 ms from 80 to 200)."""
WRAPPER_PROPERTIES = 3
"""Properties every shard tests for the wrapper itself: the session key, the wide fact's marker and the
sink's never-fact."""
MAX_SHARD_RULES = 2000
"""Engine rules per shard, well under MAX_ACTIONS (4096) with the wrapper's own rules."""
MAX_PATTERNS_PER_RULE = 16
"""MAX_MESSAGE_FRAMES: facts one engine rule (one alternative of a rule's condition) may join."""
MAX_SHARDS = 64
"""Every evaluation asserts its answers in every shard: past this, evaluation would crawl."""
MAX_TESTS_PER_FACT = 60
"""Different tests on one fact: a derived fact, a small fact of its own, pushes one alpha node per distinct
test on it plus the sink's, and the engine fails beyond 64 pending alpha nodes (error 303)."""
ALPHA_STACK_BUDGET = 60
"""Pending alpha nodes the wide fact's walk may need at most: a margin under MAX_STACK_SIZE (64)."""
GROUP_RULES = 30
"""Engine rules with a wide pattern in one group (below one chain of guards): see alpha_groups."""


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

    def refuse(rule: str, why: str) -> None:
        """One problem per rule, however many of its alternatives do not fit."""
        if rule not in too_wide:
            too_wide.add(rule)
            problems.append(CapacityProblem(rule, why))

    shards: list[list[str]] = []
    current: list[str] = []
    tested: set[str] = set()
    for name, joined in ruleset.joined.items():
        variant = variants[name]
        patterns = len(joined) + (ruleset.wide[name] is not None)
        if patterns > MAX_PATTERNS_PER_RULE:
            refuse(variant.rule, f"an alternative of this condition joins {patterns} facts (its answers count as one); "
                   f"the durable-rules engine joins at most {MAX_PATTERNS_PER_RULE}: split the rule, derive an "
                   "intermediate fact, or evaluate with --engine reference")
            continue
        needs = variant_properties(variant, ruleset.properties)
        if len(needs) + WRAPPER_PROPERTIES > MAX_SHARD_PROPERTIES:
            refuse(variant.rule, f"an alternative of this condition tests {len(needs)} engine properties; the "
                   f"durable-rules engine holds at most {MAX_SHARD_PROPERTIES - WRAPPER_PROPERTIES} in one "
                   "ruleset: split the rule, or evaluate with --engine reference")
            continue
        if current and (len(tested | needs) + WRAPPER_PROPERTIES > MAX_SHARD_PROPERTIES
                        or len(current) >= MAX_SHARD_RULES):
            shards.append(current)
            current, tested = [], set()
            if len(shards) == MAX_SHARDS:
                problems.append(CapacityProblem(variant.rule, (
                    f"with this rule the rule base needs more than {MAX_SHARDS} durable-rules rulesets (each tests "
                    f"at most {MAX_SHARD_PROPERTIES} facts and holds {MAX_SHARD_RULES} rule alternatives); "
                    "evaluate with --engine reference")))
                break
        current.append(name)
        tested |= needs
    shards.append(current)
    return shards, problems


def alpha_groups(ruleset: DurableRuleset, names: list[str]) -> tuple[dict[str, tuple[int, ...]], int]:
    """A place for each of these engine rules that has a wide pattern, in a tree of groups: the indices of
    the guards its pattern starts with (one per level). Returns the places and the bound below.

    Why: the wide fact is matched by the engine's depth-first alpha walk (events.c handleAlpha), whose
    stack holds MAX_STACK_SIZE (64) pending nodes. Guards make the walk's worst case independent of the
    rules' tests:
    - at the root the wide fact pushes only the first-level guards (all its other root nodes test derived
      properties, which the wide fact never has, or are the sink's absence test of WIDE, which it has);
    - at a guard of level l, the pending nodes are the unvisited guards of the levels above (at most
      fanout - 1 each) plus the guard's own children (at most `fanout` guards);
    - below the guard of a group, the pending nodes never contain one another (a node is popped before its
      children are pushed), so their subtrees are disjoint, and each holds the end of at least one rule's
      chain of tests: at most one pending node per rule of the group, whatever its tests, however the
      engine shares nodes between rules, and whichever tests hold (the bound takes every one to hold).
    So the walk never needs more than levels * (fanout - 1) + max(fanout, GROUP_RULES) entries. The same
    grouping keeps every node within its fixed lists: at most GROUP_RULES + fanout children, absence
    tests and rule links per node (limits 511, 128 and 256)."""
    wide = [name for name in names if ruleset.wide[name] is not None]
    groups = max(1, -(-len(wide) // GROUP_RULES))
    levels = 1
    while _fanout(levels) ** levels < groups:
        levels += 1
    fanout = _fanout(levels)
    places: dict[str, tuple[int, ...]] = {}
    for i, name in enumerate(wide):
        group = i // GROUP_RULES
        places[name] = tuple((group // fanout ** (levels - 1 - level)) % fanout for level in range(levels))
    bound = levels * (fanout - 1) + max(fanout, GROUP_RULES)
    return places, bound


def _fanout(levels: int) -> int:
    """Guards per level when there are this many levels: as many as the stack budget leaves."""
    return min(GROUP_RULES, (ALPHA_STACK_BUDGET - GROUP_RULES) // levels + 1)
