"""A tiny, safe arithmetic language for calculators.

Formulas are parsed with Python's `ast` and only numbers, fact names, + - * / // %,
unary minus, parentheses and a fixed set of functions are accepted. Nothing is
ever passed to `eval`.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
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


class Unknown(Exception):
    """An input the formula needs is unknown."""


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

    def evaluate(self, facts: Mapping[str, float | None]) -> float:
        """The value; raises Unknown when a needed input is unknown, one of EVALUATION_ERRORS when the
        arithmetic fails (x / 0, ceil of an infinity); the result may still be an infinity or NaN."""
        return _eval(self.tree.body, facts)


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


def _eval(node: ast.AST, facts: Mapping[str, float | None]) -> float:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = facts.get(node.id)
        if value is None:
            raise Unknown(node.id)
        return value
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, facts)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, facts), _eval(node.right, facts))
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        if name == "coalesce":
            try:
                return _eval(node.args[0], facts)
            except Unknown:
                return _eval(node.args[1], facts)
        return _FUNCTIONS[name](*(_eval(arg, facts) for arg in node.args))
    raise FormulaError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover - _check forbids it
