"""Evaluate many scenario files; a bad file fails alone, never the batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from advisor.answers import load_scenario
from advisor.diagnostics import Diagnostic, InvalidInput
from advisor.evaluation import Advisor
from advisor.models.advice import Advice


@dataclass(frozen=True)
class Outcome:
    path: Path
    advice: Advice | None
    diagnostics: tuple[Diagnostic, ...] = ()


def evaluate_file(advisor: Advisor, path: Path) -> Outcome:
    try:
        return Outcome(path, advisor.evaluate(load_scenario(advisor.rulebase, path)))
    except InvalidInput as exc:
        return Outcome(path, None, tuple(sorted(exc.diagnostics)))


def evaluate_files(advisor: Advisor, paths: list[Path],
                   progress: Callable[[int], None] | None = None) -> Iterator[Outcome]:
    for done, path in enumerate(paths, start=1):
        yield evaluate_file(advisor, path)
        if progress:
            progress(done)
