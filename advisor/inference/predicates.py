"""Conditions turned into generated Python functions, for the checks made outside the engine on every evaluation
(applicability, ask_when) and for the rule alternatives the reference engine tests in Python.

Interpreting a condition's DNF walks literals and calls `Test.holds` for each, on every scenario. Once an
Advisor has evaluated a few times (`Conditions`, `VariantChecks`: a one-file run keeps interpreting), the
conditions are written out as the text of Python functions and compiled once per process (code objects are not
pickled with the compiled rule base): each literal inline, e.g. `type(v := get(F12)) is str and v == C7`, and
for a whole set of conditions one function that tests them all in one call (`Conditions.holding`, `failing`:
which decisions apply, which questions are hidden).

Why generating code is safe here: the text is made only of identifiers this module chooses (`f`, `get`, `v`,
`K`, numbered names such as F12 or C7) and Python operators. Every fact name, compared value and `Test` comes
from the rule base and enters only as the *value* of a numbered name in the function's own namespace, never as
text, so no rule file can change what the code is (tests/test_predicates.py tries facts and values shaped like
code). The namespace holds no builtins beyond the few the text uses.

The condition tree is written, not its DNF (which can be 50 times larger): negation is pushed down to the fact
tests exactly as `to_dnf` does (`not` over a test is "unknown, or the opposite test holds", which is not the
complement: a test on a value of another kind is false both ways), and each fact test becomes the expression of
its own small DNF, so the function means exactly what the DNF means. Every test means what `Test.holds` means
(the same kind checks: a bool is not a number, text only equals text, a list passes only `exists`; numbers are
compared with the same operators, so -0.0 and nan behave as they do there); a test of any other shape calls
`Test.holds` itself, through a constant. tests/test_predicates.py checks that generated and interpreted
conditions agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from advisor.inference.compiler import (
    MAX_VARIANTS_PER_RULE,
    Conjunct,
    Literal,
    Test,
    Variant,
    expand_facts,
    to_dnf,
)
from advisor.models.conditions import AllOf, Condition, FactTest, NotOf

Predicate = Callable[[dict[str, Any]], bool]
"""Facts as the rules see them (after `expand_facts`) -> whether the condition holds."""
Selector = Callable[[dict[str, Any]], list[str]]
"""Facts as the rules see them -> the names (in a set order) of the conditions that hold, or that fail."""

_MISSING = object()
_COMPARE = {"eq": "==", "neq": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
MAX_NESTING = 60
"""Parentheses deeper than this (a condition nested past any real rule base) are interpreted instead: Python's
parser stops at 200 nested parentheses."""


class _Writer:
    """The text of generated functions and their namespace: every piece of rule data becomes a numbered name in
    the namespace (`constant`), so the text holds only names this class makes and operators."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "__builtins__": {}, "type": type, "isinstance": isinstance, "str": str, "bool": bool,
            "NUMBER": (int, float), "M": _MISSING}
        self._names: dict[Any, str] = {}

    def constant(self, value: Any, prefix: str) -> str:
        """A name bound to `value` in the namespace (one per distinct value: numbers and text by type and repr,
        so 1, 1.0 and True, or 0.0 and -0.0, stay apart)."""
        kind = type(value)
        key = (prefix, kind, repr(value)) if kind in (str, int, float, bool) else (
            (prefix, value) if kind is frozenset else (prefix, id(value)))
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"{prefix}{len(self._names)}"
            self.namespace[name] = value
        return name

    def source(self, text: str) -> Source:
        return Source(text, self.namespace)


@dataclass(frozen=True)
class Source:
    """Generated definitions and the namespace they run in (which holds every piece of rule data they read)."""

    text: str
    namespace: dict[str, Any]

    def run(self) -> dict[str, Any]:
        """Compile and run the definitions in their namespace; returns it (it holds the functions)."""
        exec(compile(self.text, "<advisor conditions>", "exec"), self.namespace)  # only our own text: see the docstring
        return self.namespace


def _value_parts(w: _Writer, test: Test) -> tuple[list[str], bool]:
    """`test.holds(value)` as expressions over `{v}` (the value) that must all hold, and whether they are false
    when the value is None (then the fact's presence need not be checked apart: None fails them as an absent
    fact does)."""
    op, value = test.op, test.value
    if op == "exists":
        return [], False
    if op == "and" and isinstance(value, tuple):
        parts: list[str] = []
        fails_on_none = False
        for inner in value:
            more, fails = _value_parts(w, inner)
            parts += [p for p in more if p not in parts]
            fails_on_none = fails_on_none or fails
        return parts, fails_on_none
    if op in ("eq", "neq") and type(value) is bool:
        return [f"{{v}} is {value == (op == 'eq')}"], True  # the other bool: True or False, written by us
    if op in ("eq", "neq") and type(value) is str:
        return ["type({v}) is str", f"{{v}} {_COMPARE[op]} {w.constant(value, 'C')}"], True
    if op in _COMPARE and type(value) in (int, float):
        return ["isinstance({v}, NUMBER)", "type({v}) is not bool",
                f"{{v}} {_COMPARE[op]} {w.constant(value, 'C')}"], True
    return [f"{w.constant(test, 'T')}.holds({{v}})"], False  # any other shape: the interpreter's own test


def _literal(w: _Writer, lit: Literal) -> str:
    fact = w.constant(lit.fact, "F")
    if lit.test is None:
        return f"{fact} not in f"
    parts, fails_on_none = _value_parts(w, lit.test)
    if not parts:
        return f"{fact} in f"
    text = " and ".join(parts)
    if not fails_on_none:
        return f"((v := get({fact}, M)) is not M and {text.replace('{v}', 'v')})"
    if text.count("{v}") == 1:
        return f"({text.replace('{v}', f'get({fact})')})"
    return "(" + text.replace("{v}", f"(v := get({fact}))", 1).replace("{v}", "v") + ")"


def _all(parts: list[str]) -> str:
    return "True" if not parts else parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def _any(parts: list[str]) -> str:
    return "False" if not parts else parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def _conjunct(w: _Writer, conj: Conjunct) -> str:
    """All of the literals; several presence (or absence) checks become one test of the facts' keys."""
    present = [lit.fact for lit in conj if lit.test is not None and lit.test.op == "exists"]
    absent = [lit.fact for lit in conj if lit.test is None]
    # A presence or absence check stays on its own when it is the only one of its kind.
    parts = [_literal(w, lit) for lit in conj if (len(absent) == 1 if lit.test is None else
                                                  len(present) == 1 if lit.test.op == "exists" else True)]
    if len(present) > 1:
        parts.append(f"K >= {w.constant(frozenset(present), 'S')}")
    if len(absent) > 1:
        parts.append(f"K.isdisjoint({w.constant(frozenset(absent), 'S')})")
    return _all(parts)


def _one_presence(conj: Conjunct) -> bool:
    return len(conj) == 1 and conj[0].test is not None and conj[0].test.op == "exists"


def _dnf(w: _Writer, conjuncts: Sequence[Conjunct]) -> str:
    """Any of the alternatives; several that are one presence check each (`contains_any` on a multi-choice
    answer) become one test of the facts' keys."""
    single = [conj[0].fact for conj in conjuncts if _one_presence(conj)]
    if len(single) < 2:
        return _any([_conjunct(w, conj) for conj in conjuncts])
    some = w.constant(frozenset(single), "S")
    return _any([f"not K.isdisjoint({some})", *[_conjunct(w, conj) for conj in conjuncts if not _one_presence(conj)]])


def _condition(w: _Writer, condition: Condition, negated: bool = False) -> str:
    """The condition as one expression, negation pushed down to the tests as in `to_dnf`."""
    if isinstance(condition, FactTest):
        return _dnf(w, to_dnf(condition, negated))
    if isinstance(condition, NotOf):
        return _condition(w, condition.not_, not negated)
    children = condition.all if isinstance(condition, AllOf) else condition.any  # type: ignore[union-attr]
    if isinstance(condition, AllOf) != negated:
        return _all([_condition(w, child, negated) for child in children])
    # Any of them: the fact tests among them as one DNF (the union of theirs), the rest each on its own.
    tests = [conj for child in children if isinstance(child, FactTest) for conj in to_dnf(child, negated)]
    parts = [_condition(w, child, negated) for child in children if not isinstance(child, FactTest)]
    return _any([_dnf(w, tests), *parts] if tests else parts)


def _dnf_size(condition: Condition, negated: bool = False) -> int | None:
    """An upper bound of the length of `to_dnf(condition)`; None when `to_dnf` may have cut a product short."""
    if isinstance(condition, FactTest):
        return len(to_dnf(condition, negated))
    if isinstance(condition, NotOf):
        return _dnf_size(condition.not_, not negated)
    children = condition.all if isinstance(condition, AllOf) else condition.any  # type: ignore[union-attr]
    sizes = [_dnf_size(child, negated) for child in children]
    if any(size is None for size in sizes):
        return None
    if isinstance(condition, AllOf) == negated:
        return sum(sizes)  # type: ignore[arg-type]
    product = 1
    for size in sizes:
        product *= size  # type: ignore[operator]
    return product if product <= MAX_VARIANTS_PER_RULE * 8 else None


def _nesting(text: str) -> int:
    deepest = depth = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def _expression(w: _Writer, condition: Condition | list[Conjunct]) -> str:
    """The condition (or DNF) as an expression over `f` (the facts), `get` (f.get) and `K` (f.keys()). A condition
    whose DNF would be cut short (`to_dnf` stops past MAX_VARIANTS_PER_RULE * 8 alternatives) is written from
    that DNF, so the expression still means what the DNF means; one nested too deeply is interpreted."""
    if isinstance(condition, list):
        text = _dnf(w, condition)
    elif _dnf_size(condition) is None:
        condition = to_dnf(condition)
        text = _dnf(w, condition)
    else:
        text = _condition(w, condition)
    if _nesting(text) > MAX_NESTING:
        dnf = condition if isinstance(condition, list) else to_dnf(condition)
        return f"{w.constant(partial(_interpret, dnf), 'P')}(f)"
    return text


def _function(name: str, expression: str) -> str:
    return f"def {name}(f):\n    get = f.get\n    K = f.keys()\n    return {expression}\n"


def predicate_source(conditions: Mapping[str, Condition | list[Conjunct]]) -> tuple[Source, dict[str, str]]:
    """The definitions of one function per named condition (or DNF), and each name's function name."""
    w = _Writer()
    names = {key: f"_p{i}" for i, key in enumerate(conditions)}
    return w.source("".join(_function(names[key], _expression(w, c)) for key, c in conditions.items())), names


def compile_predicates(conditions: Mapping[str, Condition | list[Conjunct]]) -> dict[str, Predicate]:
    """One generated function per named condition (or DNF), all compiled at once."""
    source, names = predicate_source(conditions)
    namespace = source.run()
    return {key: namespace[name] for key, name in names.items()}


def selector_source(order: Sequence[str], conditions: Mapping[str, Condition | list[Conjunct]]) -> Source:
    """The definitions of `holding` and `failing` (compile_selectors)."""
    w = _Writer()
    tests = [(w.constant(key, "R"), _expression(w, conditions[key]) if key in conditions else None) for key in order]
    head = "    get = f.get\n    K = f.keys()\n    out = []\n    add = out.append\n"
    holding = "".join(f"    add({name})\n" if test is None else f"    if {test}:\n        add({name})\n"
                      for name, test in tests)
    failing = "".join(f"    if not {test}:\n        add({name})\n" for name, test in tests if test is not None)
    return w.source(f"def holding(f):\n{head}{holding}    return out\n"
                    f"def failing(f):\n{head}{failing}    return out\n")


def compile_selectors(order: Sequence[str], conditions: Mapping[str, Condition | list[Conjunct]],
                      ) -> tuple[Selector, Selector]:
    """Two generated functions over the facts, each testing every condition in one call: the names in `order`
    whose condition holds (a name without a condition always does), and those whose condition fails."""
    namespace = selector_source(order, conditions).run()
    return namespace["holding"], namespace["failing"]


def condition_holds(condition: Condition | list[Conjunct], facts: dict[str, Any], *, expanded: bool = False) -> bool:
    """Evaluate a condition (or its DNF) directly, interpreting it. Pass `expanded=True` when `facts` already went
    through `expand_facts`."""
    if not expanded:
        facts = expand_facts(facts)
    for conj in condition if isinstance(condition, list) else to_dnf(condition):
        for lit in conj:
            if not literal_holds(lit.fact, lit.test, facts):
                break
        else:
            return True
    return False


def literal_holds(fact: str, test: Test | None, facts: Mapping[str, Any]) -> bool:
    """One literal of a DNF over facts as the rules see them (after `expand_facts`): with no test, the fact is
    unknown; else it is known and its value passes the test. The one reading of a literal that everything
    interpreting conditions shares (condition_holds, the questions that can unlock a hidden one)."""
    if test is None:
        return fact not in facts
    return fact in facts and test.holds(facts[fact])


class Conditions:
    """Named conditions checked on every evaluation (ask_when, applicability): interpreted from their DNF at
    first, generated and compiled once they have been asked for COMPILE_AFTER times. Both give the same answers
    (tests/test_predicates.py); compiling only pays off over many evaluations.

    `order`: every name the selectors answer for, in the order they list them (default: the conditions' order);
    a name without a condition always holds."""

    COMPILE_AFTER = 8

    def __init__(self, conditions: dict[str, Condition], dnfs: dict[str, list[Conjunct]],
                 order: Sequence[str] | None = None) -> None:
        self._conditions, self._dnfs = conditions, dnfs
        self._order = tuple(dnfs) if order is None else tuple(order)
        self._interpreted: dict[str, Predicate] = {key: partial(_interpret, dnf) for key, dnf in dnfs.items()}
        self._compiled: dict[str, Predicate] | None = None
        self._uses = 0
        listed = tuple((key, dnfs.get(key)) for key in self._order)
        self._interpreted_selectors: tuple[Selector, Selector] = (
            partial(_interpreted_selection, listed, True), partial(_interpreted_selection, listed, False))
        self._selectors: tuple[Selector, Selector] | None = None
        self._selector_uses = 0

    def checks(self) -> dict[str, Predicate]:
        """Name -> whether the condition holds over facts as the rules see them (after `expand_facts`)."""
        if self._compiled is not None:
            return self._compiled
        self._uses += 1
        if self._uses > self.COMPILE_AFTER:
            self._compiled = self.compiled()
            return self._compiled
        return self._interpreted

    def holding(self) -> Selector:
        """Facts (after `expand_facts`) -> the names, in order, whose condition holds or that have none."""
        return self._selection()[0]

    def failing(self) -> Selector:
        """Facts (after `expand_facts`) -> the names, in order, whose condition fails."""
        return self._selection()[1]

    def _selection(self) -> tuple[Selector, Selector]:
        if self._selectors is not None:
            return self._selectors
        self._selector_uses += 1
        if self._selector_uses > self.COMPILE_AFTER:
            self._selectors = compile_selectors(self._order, {key: self._condition_or_dnf(key) for key in self._dnfs})
            return self._selectors
        return self._interpreted_selectors

    def compiled(self) -> dict[str, Predicate]:
        return compile_predicates({key: self._condition_or_dnf(key) for key in self._dnfs})

    def _condition_or_dnf(self, key: str) -> Condition | list[Conjunct]:
        return self._conditions[key] if key in self._conditions else self._dnfs[key]


def _interpret(dnf: list[Conjunct], facts: dict[str, Any]) -> bool:
    return condition_holds(dnf, facts, expanded=True)


def _interpreted_selection(listed: tuple[tuple[str, list[Conjunct] | None], ...], holds: bool,
                           facts: dict[str, Any]) -> list[str]:
    if holds:
        return [key for key, dnf in listed if dnf is None or condition_holds(dnf, facts, expanded=True)]
    return [key for key, dnf in listed if dnf is not None and not condition_holds(dnf, facts, expanded=True)]


class VariantChecks:
    """Whether each rule alternative (compiler.Variant) holds, for the engines that test them in Python (the
    reference engine, what-if slices): `Variant.holds` at first, generated functions (same answers) once asked
    for COMPILE_AFTER times."""

    COMPILE_AFTER = 8

    def __init__(self, variants: Sequence[Variant], shared: dict[str, Predicate] | None = None) -> None:
        """`shared`: variant name -> its generated function, for sets of variants that overlap (what-if slices):
        each variant is generated once."""
        self._variants = list(variants)
        self._interpreted: list[Predicate] = [v.holds for v in self._variants]
        self._compiled: list[Predicate] | None = None
        self._shared = {} if shared is None else shared
        self._uses = 0

    def checks(self) -> list[Predicate]:
        """One function per variant, in the order given."""
        if self._compiled is not None:
            return self._compiled
        self._uses += 1
        if self._uses > self.COMPILE_AFTER:
            shared = self._shared
            missing = {v.name: [_conjunct_of(v)] for v in self._variants if v.name not in shared}
            shared.update(compile_predicates(missing) if missing else {})  # type: ignore[arg-type]
            self._compiled = [shared[v.name] for v in self._variants]
            return self._compiled
        return self._interpreted


def _conjunct_of(variant: Variant) -> Conjunct:
    return (*(Literal(f, None) for f in variant.absences), *(Literal(f, t) for f, t in variant.positives))
