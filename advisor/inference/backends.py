"""Which inference engine runs: durable-rules where its C extension imports, the reference engine elsewhere.

durable-rules 2.0.28 is installed only on the Pythons it supports (an environment marker in
pyproject.toml): its extension calls a C API that Python 3.13 removed. Both engines fire the same rules
and give byte-identical advice; reports name the one that ran.
"""

from __future__ import annotations

import functools

from advisor.shared.diagnostics import Diagnostic, InvalidInput

DURABLE = "durable-rules"
REFERENCE = "reference"
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
