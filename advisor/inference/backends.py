"""The inference engine backends: what every engine offers, which one runs, and how it is created.

A backend is created from the engine-neutral compiled rules (advisor.inference.compiler) and only ever
answers `run(facts) -> Firings`; everything durable-specific lives in advisor/inference/durable/.
Which one runs: durable-rules where its C extension imports, the reference engine elsewhere.

durable-rules 2.0.28 is installed only on the Pythons it supports (an environment marker in
pyproject.toml): its extension calls a C API that Python 3.13 removed. Both engines fire the same rules
and give byte-identical advice; reports name the one that ran.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

from advisor.inference.compiler import CompiledRuleset
from advisor.inference.firing import Firings, ReferenceEngine
from advisor.shared.diagnostics import Diagnostic, InvalidInput
from advisor.sources.rulebase import RuleBase

DURABLE = "durable-rules"
"""The durable backend's name, known here without importing it (it may not import on this Python)."""
REFERENCE = ReferenceEngine.name
CHOICES = ("auto", "durable", "reference")
"""What `--engine` accepts: auto picks durable-rules when it is available."""


@functools.lru_cache(maxsize=1)
def durable_problem() -> str | None:
    """Why durable-rules cannot run here, or None when it can."""
    try:
        import advisor.inference.durable.engine  # noqa: F401 - the one module that imports durable-rules
    except ImportError as exc:  # not installed (Python 3.13+), or built against another Python
        return f"durable-rules is not available on this Python ({exc.msg})"
    return None


def choose_engine(requested: str) -> str:
    """The engine name for a `--engine` value ('auto', 'durable', 'reference' or an engine name)."""
    if requested in (REFERENCE,):
        return REFERENCE
    if requested in ("durable", DURABLE):
        problem = durable_problem()
        if problem is not None:
            raise InvalidInput([Diagnostic.at_file("--engine", "engine",
                                                   f"{problem}; use --engine reference or auto")])
        return DURABLE
    if requested == "auto":
        return DURABLE if durable_problem() is None else REFERENCE
    raise ValueError(f"unknown engine {requested!r}; expected one of {', '.join(CHOICES)}")


def code_build() -> str:
    """Whether the modules on the hot path run compiled (a regular wheel: hatch_build.py) or as Python."""
    from advisor.inference import evaluation

    if evaluation.__file__.endswith(".py"):
        return "pure Python (an editable install, or a wheel built without a C compiler or with ADVISOR_PURE_PYTHON)"
    return "hot-path modules compiled with mypyc"


class EngineBackend(Protocol):
    """What the rest of the advisor asks of an inference engine."""

    @property
    def name(self) -> str:
        """How reports name the engine."""
        ...

    def run(self, facts: dict[str, Any]) -> Firings:
        """Fire the rules on these facts (already expanded by compiler.expand_facts) to a fixpoint."""
        ...

    def close(self) -> None:
        """Free what the engine holds; `run` may not be called afterwards."""
        ...


def engine_plans(compiled: CompiledRuleset) -> dict[str, Any]:
    """Start-up work of the engines that depends only on the compiled rules, as plain data: done once when
    the rules are compiled and kept with them in the compiled rule base cache. Engine name -> its plan;
    an engine that cannot run here, or that the rules do not fit, has none (creating it says why)."""
    if durable_problem() is not None:
        return {}
    from advisor.inference.durable.engine import registration_plan
    from advisor.inference.durable.limits import EngineCapacityError

    try:
        return {DURABLE: registration_plan(compiled)}
    except EngineCapacityError:
        return {}


def create_backend(name: str, compiled: CompiledRuleset, rulebase: RuleBase,
                   plans: dict[str, Any] | None = None) -> EngineBackend:
    """The backend `name` (as returned by choose_engine) for these compiled rules. InvalidInput when the
    rule base does not fit the engine (located in `rulebase`). `plans`: from engine_plans, when kept."""
    if name == REFERENCE:
        return ReferenceEngine(compiled)
    if name == DURABLE:
        from advisor.inference.durable.engine import open_durable

        return open_durable(compiled, rulebase, (plans or {}).get(DURABLE))
    raise ValueError(f"unknown engine {name!r}")
