"""Calculator formulas (advisor/sources/formula.py): each evaluates as Python's own arithmetic on the same
numbers would, unknown inputs raise Unknown (caught only by coalesce), and failing arithmetic raises what
Python raises. Python's eval appears here only as the oracle for formulas the module has parsed."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.sources.formula import EVALUATION_ERRORS, FormulaError, Unknown, parse_formula

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
    assert outcome(lambda: formula.evaluate(facts)) == outcome(lambda: oracle(text, facts))


def with_unknown(call: Any) -> tuple[str, Any]:
    try:
        return outcome(call)
    except Unknown:
        return ("value", repr(None))


@pytest.mark.parametrize("text", [*FORMULAS, "coalesce(a, b) * c", "coalesce(a / b, c)", "min(a, b / c, 2)",
                                  "a / 0 + b", "coalesce(a / 0, b)", "-coalesce(a, -b) // c"])
@given(values=st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True)),
                       min_size=3, max_size=3))
def test_value_is_evaluate_with_none_for_unknown(text: str, values: list[Any]) -> None:
    """Formula.value (what calculators use) does what evaluate does, the same errors in the same order, with None
    where evaluate raises Unknown: an unknown input stops the evaluation before any later operand is computed."""
    facts = dict(zip("abc", values, strict=True))
    formula = parse_formula(text)
    assert with_unknown(lambda: formula.value(facts)) == with_unknown(lambda: formula.evaluate(facts))


def test_an_unknown_input_is_unknown_unless_coalesce_replaces_it() -> None:
    with pytest.raises(Unknown) as raised:
        parse_formula("a + b").evaluate({"a": 1, "b": None})
    assert raised.value.args == ("b",)
    with pytest.raises(Unknown):
        parse_formula("a * 2").evaluate({})
    assert parse_formula("coalesce(a, 5) * 2").evaluate({"a": None}) == 10
    assert parse_formula("coalesce(a, 5) * 2").evaluate({"a": 1.5}) == 3.0
    assert parse_formula("coalesce(a / b, c)").evaluate({"a": 1, "b": None, "c": 7}) == 7
    with pytest.raises(Unknown):
        parse_formula("coalesce(a, b)").evaluate({})
    with pytest.raises(ZeroDivisionError):  # a failing first argument is an error, not an unknown
        parse_formula("coalesce(a / 0, 1)").evaluate({"a": 1})


def test_evaluating_again_gives_the_same_result_and_the_formula_still_pickles() -> None:
    import pickle

    formula = parse_formula("ceil(a / 3) + coalesce(b, 1)")
    assert [formula.evaluate({"a": 10, "b": None}) for _ in range(3)] == [5, 5, 5]
    copy = pickle.loads(pickle.dumps(formula))  # the compiled rule base cache pickles formulas
    assert copy.text == formula.text and copy.evaluate({"a": 10, "b": 2}) == 6


@pytest.mark.parametrize("text", ["a if b else c", "a ** 2", "f(a)", "round(a, b)", "'x'", "a.b", "True + 1",
                                  "min(a)", "abs(a, b)", "round(a, 16)", "lambda: 1"])
def test_anything_outside_the_language_is_refused(text: str) -> None:
    with pytest.raises(FormulaError):
        parse_formula(text)
