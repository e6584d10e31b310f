"""Conditions compiled into Python functions, for the checks made outside the engine on every evaluation
(applicability, ask_when) and for the rule alternatives the reference engine tests in Python.

Interpreting a condition's DNF walks literals and calls `Test.holds` for each, on every scenario; here each
condition becomes the source of one function (`and`/`or` over dictionary reads and comparisons), compiled
with `compile()` once an Advisor has evaluated a few times (`Conditions`: compiling a rule base's conditions
costs about what twenty heavy evaluations save, so a one-file run keeps interpreting).

The condition tree is compiled, not its DNF (which can be 50 times larger): negation is pushed down to the
fact tests exactly as `to_dnf` does (`not` over a test is "unknown, or the opposite test holds", which is not
the complement: a test on a value of another kind is false both ways), and each fact test becomes the
expression of its own small DNF, so the function means exactly what the DNF means. Every expression means
what `Test.holds` means (the same kind checks: a bool is not a number, text only equals text, a list passes
only `exists`); a test of any other shape calls `Test.holds` itself. The source is generated from the
validated rule base only, and fact names and test values never appear in it as text (they are constants
passed in by name), so no rule text can change what the code does. tests/test_predicates.py checks that
compiled and interpreted conditions agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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

_MISSING = object()
_COMPARE = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


class _Source:
    """The constants and lines of one generated module."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {"_M": _MISSING, "_num": (int, float), "_bool": bool}
        self._names: dict[tuple[type, Any], str] = {}

    def constant(self, value: Any) -> str:
        key = (type(value), value) if _hashable(value) else (object, id(value))
        if key not in self._names:
            name = f"_c{len(self._names)}"
            self._names[key] = name
            self.constants[name] = value
        return self._names[key]

    def test(self, test: Test, x: str) -> str:
        """An expression over the variable `x` (the fact's value, or _M when absent) that holds iff the fact
        is known and `test.holds` of its value."""
        op, value = test.op, test.value
        if op == "exists":
            return f"{x} is not _M"
        if op == "and" and isinstance(value, tuple) and value:
            return "(" + " and ".join(self.test(t, x) for t in value) + ")"
        if op in ("eq", "neq") and type(value) is bool:
            return f"{x} is {value if op == 'eq' else not value}"
        if op in ("eq", "neq") and type(value) is str:
            return f"(type({x}) is str and {x} {'==' if op == 'eq' else '!='} {self.constant(value)})"
        number = f"(isinstance({x}, _num) and not isinstance({x}, _bool))"
        if op in ("eq", "neq") and type(value) in (int, float):
            return f"({number} and {x} {'==' if op == 'eq' else '!='} {self.constant(value)})"
        if op in _COMPARE and type(value) in (int, float):
            return f"({number} and {x} {_COMPARE[op]} {self.constant(value)})"
        return f"({x} is not _M and {self.constant(test)}.holds({x}))"  # any other shape: the interpreter

    def dnf(self, conjuncts: Sequence[Conjunct], values: dict[str, str]) -> str:
        """The DNF as one expression. `values` maps each fact whose value is tested to the local variable
        holding it, and is filled here (presence is tested on the dictionary itself)."""
        alternatives = []
        for conj in conjuncts:
            literals = [self.literal(lit, values) for lit in conj]
            alternatives.append(" and ".join(literals) if literals else "True")
        if len(alternatives) == 1:
            return alternatives[0]
        return " or ".join(f"({a})" if " and " in a else a for a in alternatives) if alternatives else "False"

    def literal(self, lit: Literal, values: dict[str, str]) -> str:
        if lit.test is None:
            return f"{self.constant(lit.fact)} not in f"
        if lit.test.op == "exists":
            return f"{self.constant(lit.fact)} in f"
        return self.test(lit.test, values.setdefault(lit.fact, f"v{len(values)}"))

    def condition(self, condition: Condition, values: dict[str, str], negated: bool = False) -> str:
        """The condition as one expression, negation pushed down to the tests as in `to_dnf`."""
        if isinstance(condition, FactTest):
            return "(" + self.dnf(to_dnf(condition, negated), values) + ")"
        if isinstance(condition, NotOf):
            return self.condition(condition.not_, values, not negated)
        children = condition.all if isinstance(condition, AllOf) else condition.any  # type: ignore[union-attr]
        conjunctive = isinstance(condition, AllOf) != negated
        parts = [self.condition(child, values, negated) for child in children]
        if not parts:
            return "True" if conjunctive else "False"
        return "(" + (" and " if conjunctive else " or ").join(parts) + ")"


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


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def compile_predicates(conditions: Mapping[str, Condition | list[Conjunct]]) -> dict[str, Predicate]:
    """One function per named condition (or DNF), all compiled in one module. A condition whose DNF would be
    cut short (`to_dnf` stops past MAX_VARIANTS_PER_RULE * 8 alternatives) is compiled from that DNF, so
    the function still means what the DNF means."""
    source = _Source()
    lines: list[str] = []
    names: dict[str, str] = {}
    made: dict[str, str] = {}
    """Function body -> its name: conditions repeat (many questions share one ask_when), compiling does not."""
    for key, condition in conditions.items():
        if not isinstance(condition, list) and _dnf_size(condition) is None:
            condition = to_dnf(condition)
        values: dict[str, str] = {}
        """Fact -> the local holding its value, for facts whose values are tested (filled as the test is made)."""
        test = source.dnf(condition, values) if isinstance(condition, list) else source.condition(condition, values)
        body = [f"    {name} = f.get({source.constant(fact)}, _M)" for fact, name in values.items()]
        text = "\n".join([*body, f"    return {test}"])
        if text not in made:
            made[text] = f"_p{len(made)}"
            lines += [f"def {made[text]}(f):", text]
        names[key] = made[text]
    namespace = dict(source.constants)
    exec(compile("\n".join(lines) + "\n", "<advisor compiled conditions>", "exec"), namespace)
    return {key: namespace[name] for key, name in names.items()}


def condition_holds(condition: Condition | list[Conjunct], facts: dict[str, Any], *, expanded: bool = False) -> bool:
    """Evaluate a condition (or its DNF) directly, interpreting it. Pass `expanded=True` when `facts` already went
    through `expand_facts`."""
    if not expanded:
        facts = expand_facts(facts)
    for conj in condition if isinstance(condition, list) else to_dnf(condition):
        for lit in conj:  # plain loops: this runs for every decision of every scenario
            if lit.test is None:
                if lit.fact in facts:
                    break
            elif lit.fact not in facts or not lit.test.holds(facts[lit.fact]):
                break
        else:
            return True
    return False


class Conditions:
    """Named conditions checked on every evaluation (ask_when, applicability): interpreted from their DNF at
    first, compiled (compile_predicates) once they have been asked for COMPILE_AFTER times. Both give the same
    answers (tests/test_predicates.py); compiling only pays off over many evaluations."""

    COMPILE_AFTER = 8

    def __init__(self, conditions: dict[str, Condition], dnfs: dict[str, list[Conjunct]]) -> None:
        self._conditions, self._dnfs = conditions, dnfs
        self._interpreted: dict[str, Predicate] = {key: partial(_interpret, dnf) for key, dnf in dnfs.items()}
        self._compiled: dict[str, Predicate] | None = None
        self._uses = 0

    def checks(self) -> dict[str, Predicate]:
        """Name -> whether the condition holds over facts as the rules see them (after `expand_facts`)."""
        if self._compiled is not None:
            return self._compiled
        self._uses += 1
        if self._uses > self.COMPILE_AFTER:
            self._compiled = self.compiled()
            return self._compiled
        return self._interpreted

    def compiled(self) -> dict[str, Predicate]:
        return compile_predicates({key: self._condition_or_dnf(key) for key in self._dnfs})

    def _condition_or_dnf(self, key: str) -> Condition | list[Conjunct]:
        return self._conditions[key] if key in self._conditions else self._dnfs[key]


def _interpret(dnf: list[Conjunct], facts: dict[str, Any]) -> bool:
    return condition_holds(dnf, facts, expanded=True)


class VariantChecks:
    """Whether each rule alternative (compiler.Variant) holds, for the engines that test them in Python (the
    reference engine, what-if slices): `Variant.holds` at first, compiled functions (same answers) once asked
    for COMPILE_AFTER times."""

    COMPILE_AFTER = 8

    def __init__(self, variants: Sequence[Variant]) -> None:
        self._variants = list(variants)
        self._interpreted: list[Predicate] = [v.holds for v in self._variants]
        self._compiled: list[Predicate] | None = None
        self._uses = 0

    def checks(self) -> list[Predicate]:
        """One function per variant, in the order given."""
        if self._compiled is not None:
            return self._compiled
        self._uses += 1
        if self._uses > self.COMPILE_AFTER:
            dnfs = {str(i): [_conjunct(v)] for i, v in enumerate(self._variants)}
            compiled = compile_predicates(dnfs)  # type: ignore[arg-type]
            self._compiled = [compiled[str(i)] for i in range(len(self._variants))]
            return self._compiled
        return self._interpreted


def _conjunct(variant: Variant) -> Conjunct:
    return (*(Literal(f, None) for f in variant.absences), *(Literal(f, t) for f, t in variant.positives))
