"""Calculator formulas (advisor/sources/formula.py): each evaluates as Python's own arithmetic on the same
numbers would, an unknown input makes the value None (unless coalesce replaces it), and failing arithmetic
raises what Python raises. Python's eval appears here only as the oracle for formulas the module has parsed."""

from __future__ import annotations

import ast
import math
import operator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.sources.formula import EVALUATION_ERRORS, FormulaError, parse_formula

_NAMESPACE = {"ceil": math.ceil, "floor": math.floor, "round": round, "min": min, "max": max, "abs": abs}


def oracle(text: str, facts: dict[str, Any]) -> Any:
    return eval(text, {"__builtins__": {}}, {**_NAMESPACE, **facts})  # a formula parse_formula accepted


def outcome(call: Any) -> tuple[str, Any]:
    try:
        value = call()
    except EVALUATION_ERRORS as exc:
        return ("error", type(exc))
    return ("value", repr(value))  # repr: NaN equals itself, 1 and 1.0 differ


FORMULAS = [
    "a + b * c", "(a + b) * c", "a / b", "a // b", "a % b", "-a - -b", "+a", "ceil(a / b)", "floor(a) + 1",
    "round(a, 2)", "round(a)", "round(a, -1)", "min(a, b, c)", "max(a, 3) / 2", "abs(a - b) * 1e-3",
    "ceil(a * 1024 / (b + 0.5))", "a / b / c", "a - b - c", "a * 0.5 + c",
]


@pytest.mark.parametrize("text", FORMULAS)
@given(values=st.lists(st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True)),
                       min_size=3, max_size=3))
def test_a_formula_is_python_arithmetic_on_the_same_numbers(text: str, values: list[Any]) -> None:
    facts = dict(zip("abc", values, strict=True))
    formula = parse_formula(text)
    assert outcome(lambda: formula.value(facts)) == outcome(lambda: oracle(text, facts))


class _Unknown(Exception):
    """Raised by the oracle below at an unknown input; only coalesce catches it."""


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}


def _walk(node: ast.AST, facts: dict[str, Any]) -> Any:
    """Interprets the tree on every call, left to right, stopping at the first unknown input by raising: a
    different mechanism from the module's closures returning None, written only to check them."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if facts.get(node.id) is None:
            raise _Unknown(node.id)
        return facts[node.id]
    if isinstance(node, ast.UnaryOp):
        value = _walk(node.operand, facts)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left = _walk(node.left, facts)
        return _OPERATORS[type(node.op)](left, _walk(node.right, facts))
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    if node.func.id == "coalesce":
        try:
            return _walk(node.args[0], facts)
        except _Unknown:
            return _walk(node.args[1], facts)
    return _NAMESPACE[node.func.id](*[_walk(arg, facts) for arg in node.args])


def unknown_oracle(text: str, facts: dict[str, Any]) -> Any:
    try:
        return _walk(ast.parse(text, mode="eval").body, facts)
    except _Unknown:
        return None


@pytest.mark.parametrize("text", [*FORMULAS, "coalesce(a, b) * c", "coalesce(a / b, c)", "min(a, b / c, 2)",
                                  "a / 0 + b", "c - a / b", "coalesce(a / 0, b)", "-coalesce(a, -b) // c"])
@given(values=st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True)),
                       min_size=3, max_size=3))
def test_an_unknown_input_stops_the_evaluation_where_it_is_met(text: str, values: list[Any]) -> None:
    """With unknown (None) inputs, value gives the tree-walking oracle's outcome: the same errors, and None where
    the first unknown input is met before any failing operation (operands left to right)."""
    facts = dict(zip("abc", values, strict=True))
    formula = parse_formula(text)
    assert outcome(lambda: formula.value(facts)) == outcome(lambda: unknown_oracle(text, facts))


def test_an_unknown_input_is_unknown_unless_coalesce_replaces_it() -> None:
    assert parse_formula("a + b").value({"a": 1, "b": None}) is None
    assert parse_formula("a * 2").value({}) is None
    assert parse_formula("coalesce(a, 5) * 2").value({"a": None}) == 10
    assert parse_formula("coalesce(a, 5) * 2").value({"a": 1.5}) == 3.0
    assert parse_formula("coalesce(a / b, c)").value({"a": 1, "b": None, "c": 7}) == 7
    assert parse_formula("coalesce(a, b)").value({}) is None
    assert parse_formula("b + a / 0").value({"a": 1}) is None  # b, unknown, is met first
    with pytest.raises(ZeroDivisionError):  # a failing first argument is an error, not an unknown
        parse_formula("coalesce(a / 0, 1)").value({"a": 1})
    with pytest.raises(ZeroDivisionError):  # the failure is met before the unknown b
        parse_formula("a / 0 + b").value({"a": 1})


def test_evaluating_again_gives_the_same_result_and_the_formula_still_pickles() -> None:
    import pickle

    formula = parse_formula("ceil(a / 3) + coalesce(b, 1)")
    assert [formula.value({"a": 10, "b": None}) for _ in range(3)] == [5, 5, 5]
    copy = pickle.loads(pickle.dumps(formula))  # the compiled rule base cache pickles formulas
    assert copy.text == formula.text and copy.value({"a": 10, "b": 2}) == 6


@pytest.mark.parametrize("text", ["a if b else c", "a ** 2", "f(a)", "round(a, b)", "'x'", "a.b", "True + 1",
                                  "min(a)", "abs(a, b)", "round(a, 16)", "lambda: 1"])
def test_anything_outside_the_language_is_refused(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(text)
