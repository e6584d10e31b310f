"""A tiny, safe arithmetic language for calculators.

Formulas are parsed with Python's `ast` and only numbers, fact names, + - * / // %,
unary minus, parentheses and a fixed set of functions are accepted. Nothing is
ever passed to `eval`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "ceil": math.ceil,
    "floor": math.floor,
    "round": round,
    "min": min,
    "max": max,
    "abs": abs,
}
_ARITY = {"ceil": (1, 1), "floor": (1, 1), "round": (1, 2), "min": (2, 8), "max": (2, 8), "abs": (1, 1),
          "coalesce": (2, 2)}


MAX_ROUND_DIGITS = 15
"""round(x, n) takes |n| up to the digits a float holds."""
EVALUATION_ERRORS = (ArithmeticError, ValueError, TypeError)
"""What arithmetic on valid formulas can raise with some answers: division by zero, overflow (ceil of an
infinity), and NaN where a whole number is needed. The caller treats the result as unknown."""


def failure_reason(exc: BaseException) -> str:
    """Words for an evaluation failure, the same whichever engine runs."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "a number too large"
    return "no defined result"


class FormulaError(ValueError):
    """The formula text is not in the accepted language."""


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.Expression
    names: tuple[str, ...]
    """Fact ids the formula reads, in order of first use."""

    @property
    def constants(self) -> tuple[int | float, ...]:
        """The numbers written in the formula (round's digit counts included)."""
        return tuple(node.value for node in ast.walk(self.tree) if isinstance(node, ast.Constant))

    def value(self, facts: Mapping[str, float | None]) -> float | None:
        """The value, or None when an input the formula needs is unknown; raises one of EVALUATION_ERRORS when
        the arithmetic fails (x / 0, ceil of an infinity); the result may still be an infinity or NaN.
        Operands and arguments are evaluated left to right and the first unknown input stops the evaluation:
        `a / 0 + b` fails whenever a is known, whatever b is, and `b + a / 0` is unknown while b is. Unknown
        is None rather than an exception because most calculators of a heavy scenario lack an input, and an
        exception climbing the nested closures cost more than the arithmetic."""
        compiled = _VALUES.get(self.text)
        if compiled is None:
            compiled = _VALUES[self.text] = _compile(self.tree.body)
        return compiled(facts)


def parse_formula(text: str) -> Formula:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid formula: {exc.msg} at column {exc.offset}") from None
    names: list[str] = []
    for node in ast.walk(tree):
        _check(node)
        if isinstance(node, ast.Name) and node.id not in names and node.id not in _ARITY:
            names.append(node.id)
    return Formula(text, tree, tuple(names))


def _check(node: ast.AST) -> None:
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant, ast.Name, ast.Load,
               ast.Call, *tuple(_BINARY))
    if not isinstance(node, allowed):
        raise FormulaError(f"'{type(node).__name__}' is not allowed in a formula")
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int | float)):
        raise FormulaError(f"only numbers are allowed as constants, not {node.value!r}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _ARITY:
            raise FormulaError(f"unknown function; use one of {', '.join(sorted(_ARITY))}")
        if node.keywords:
            raise FormulaError("keyword arguments are not allowed in a formula")
        low, high = _ARITY[node.func.id]
        if not low <= len(node.args) <= high:
            raise FormulaError(f"{node.func.id}() takes {low} to {high} arguments, got {len(node.args)}")
        if node.func.id == "round" and len(node.args) == 2 and not _small_whole_constant(node.args[1]):
            # round(x, 1.5) fails and round(x, 10**300) is pointless on every evaluation: refuse it here
            raise FormulaError(f"round()'s second argument must be a whole number from -{MAX_ROUND_DIGITS} "
                               f"to {MAX_ROUND_DIGITS} written in the formula, like round(x, 2)")


def _small_whole_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return (isinstance(node, ast.Constant) and type(node.value) is int
            and abs(node.value) <= MAX_ROUND_DIGITS)


ValueOrNone = Callable[[Mapping[str, "float | None"]], "float | None"]
_VALUES: dict[str, ValueOrNone] = {}
"""Formula text -> its tree made into nested closures, once per process: walking the tree on every
evaluation cost most of a calculator's time, and a batch evaluates each calculator thousands of times.
Keyed by the text (the same text always parses to the same tree); not kept on the Formula itself, which
the compiled rule base cache pickles."""


def _compile(node: ast.AST) -> ValueOrNone:
    """The node as a function of the facts: an operation whose operand is None (unknown) is None at once,
    before the operands after it are evaluated (no operation yields None from numbers); coalesce() alone
    turns an unknown first argument into its second."""
    if isinstance(node, ast.Constant):
        constant = node.value
        return lambda facts: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda facts: facts.get(name)
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if not isinstance(node.op, ast.USub):
            return operand

        def negative(facts: Mapping[str, float | None]) -> float | None:
            value = operand(facts)
            return None if value is None else -value

        return negative
    if isinstance(node, ast.BinOp):
        apply, left, right = _BINARY[type(node.op)], _compile(node.left), _compile(node.right)

        def binary(facts: Mapping[str, float | None]) -> float | None:
            a = left(facts)
            if a is None:
                return None
            b = right(facts)
            return None if b is None else apply(a, b)

        return binary
    if isinstance(node, ast.Call):
        called = node.func.id  # type: ignore[attr-defined]
        args = [_compile(arg) for arg in node.args]
        if called == "coalesce":
            first, second = args

            def coalesce(facts: Mapping[str, float | None]) -> float | None:
                value = first(facts)
                return second(facts) if value is None else value

            return coalesce
        function = _FUNCTIONS[called]

        def call(facts: Mapping[str, float | None]) -> float | None:
            values = []
            for arg in args:
                value = arg(facts)
                if value is None:
                    return None
                values.append(value)
            return function(*values)

        return call
    raise FormulaError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover - _check forbids it
