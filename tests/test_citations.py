"""Every citation in the rule base resolves against the study notes (skipped, with the reason, without them)."""

from __future__ import annotations

from pathlib import Path

from advisor.analysis.lint import lint
from advisor.inference.evaluation import Advisor
from advisor.sources.notes import Notes


def test_every_rule_citation_points_at_its_heading(advisor: Advisor, notes_dir: Path) -> None:
    report = lint(advisor, notes_dir)  # lint owns the check: rules' and calculators' citations
    assert any(line.startswith("citations checked against notes: ") and not line.endswith(": 0")
               for line in report.summary), report.summary
    problems = [f.render() for f in report.findings if f.kind == "citation"]
    assert not problems, "\n".join(problems)


def test_the_resolver_rejects_a_wrong_heading_and_a_range_past_the_end(notes_dir: Path) -> None:
    from advisor.models.citation import Citation

    notes = Notes(notes_dir)
    name = sorted(p.name for p in notes_dir.iterdir() if p.suffix == ".txt")[0]
    lines = (notes_dir / name).read_text(encoding="utf-8").splitlines()
    assert notes.check(Citation(note=name, section="No Such Heading", lines=[len(lines), len(lines)])) is not None
    assert notes.check(Citation(note=name, section="x", lines=[len(lines) + 1, len(lines) + 2])) is not None
    assert notes.check(Citation(note="missing.txt", section="x", lines=[1, 1])) is not None
