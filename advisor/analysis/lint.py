"""`advisor lint`: quality checks over a rule base that loaded and compiled."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.analysis.dead_ends import find_dead_ends
from advisor.analysis.rule_cases import check_case, decision_test_files, load_cases
from advisor.inference.durable.limits import capacity_diagnostics, capacity_problems
from advisor.inference.evaluation import Advisor
from advisor.models.decision import STAGES
from advisor.shared.diagnostics import Diagnostic, InvalidInput
from advisor.sources.copied_text import CopyIndex
from advisor.sources.notes import Notes
from advisor.sources.yaml_source import read_yaml_file


@dataclass
class LintReport:
    findings: list[Diagnostic] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


def lint(advisor: Advisor, notes_dir: Path | None = None) -> LintReport:
    rb = advisor.rulebase
    report = LintReport()
    add = report.findings.append
    used_facts: set[str] = set()
    for entry in rb.rules:
        used_facts |= {t.fact for t in _tests(entry.rule.when)}
    for d in rb.decisions:
        if d.applies_when is not None:
            used_facts |= {t.fact for t in _tests(d.applies_when)}
        used_facts |= set(d.fallback.ask)
    for q in rb.questions.values():
        if q.ask_when is not None:
            used_facts |= {t.fact for t in _tests(q.ask_when)}
    for c in rb.calculators.values():
        used_facts |= set(c.formula.names)

    for decision in rb.decisions:
        doc = rb.docs[f"decisions/{decision.id}.yaml"]
        reachable = {decision.fallback.option} if decision.fallback.option else set()
        for entry in rb.rules:
            if entry.decision == decision.id:
                reachable |= set(entry.rule.recommend) | ({entry.rule.require} if entry.rule.require else set())
        for i, option in enumerate(decision.options):
            if option.id not in reachable:
                add(doc.diagnostic(("options", i, "id"), "unreachable_option",
                                   f"no rule can recommend '{option.id}' and it is not the fallback"))
        if decision.stage is None:
            add(doc.diagnostic(("area",), "missing_stage",
                               "no pipeline stage (stage: one of " + ", ".join(STAGES) + "); the architecture "
                               "picture shows the decision under 'Other'"))
        if not decision.fallback.option and not decision.fallback.ask:
            add(doc.diagnostic(("fallback",), "empty_fallback",
                               "the fallback neither recommends an option nor says which questions to ask"))
    for fact, rules in rb.derived_by.items():
        if fact not in used_facts:
            entry = rb.rule(rules[0])
            add(entry.doc.diagnostic((*entry.loc, "derive"), "unused_fact",
                                     f"'{fact}' is derived but no condition tests it"))
    for qid in rb.questions:
        if qid not in used_facts:
            add(Diagnostic.at_file(_question_file(rb, qid), "unused_question",
                                   f"question '{qid}' feeds no rule, calculator or ask_when"))
    # Derivation cycles are refused by load_rulebase (invalid input, exit 2), so none can reach lint.
    # Lint runs on the reference engine; what the durable-rules engine could not hold is reported here.
    report.findings += capacity_diagnostics(rb, capacity_problems(advisor.compiled))
    tested, fired = _check_tests(advisor, report)
    if fired is not None:
        for entry in rb.rules:
            if entry.id not in fired:
                add(entry.doc.diagnostic((*entry.loc, "id"), "untested_rule",
                                         f"{entry.id} fires in no rule test case (rules/decisions/*.test.yaml)"))
    _check_retired(rb, report)
    for decision in rb.decisions:
        # A test file that did not load, or that names another decision, is reported where it is wrong
        if decision.id not in tested and not (rb.root / "decisions" / f"{decision.id}.test.yaml").is_file():
            doc = rb.docs[f"decisions/{decision.id}.yaml"]
            add(doc.diagnostic(("id",), "missing_tests", f"no test file decisions/{decision.id}.test.yaml"))

    evaluated, dead_ends = find_dead_ends(advisor)
    for dead_end in dead_ends:
        doc = rb.docs[f"decisions/{dead_end.decision}.yaml"]
        add(doc.diagnostic(("fallback",), "dead_end",
                           f"{dead_end.count} of {evaluated} generated scenarios leave '{dead_end.decision}' "
                           f"undecided with nothing left to ask ({dead_end.summary}); give the fallback a "
                           "default or `prefer` tie-breaks with their assumption"))

    notes_folder = Notes.locate(notes_dir)
    cited = 0
    if notes_folder is not None:
        notes = Notes(notes_folder)
        for entry in rb.rules:
            for i, citation in enumerate(entry.rule.citations):
                cited += 1
                problem = notes.check(citation)
                if problem:
                    add(entry.doc.diagnostic((*entry.loc, "citations", i), "citation", problem))
        for calc_id, calc in rb.calculators.items():
            for i, citation in enumerate(calc.calculator.citations):
                cited += 1
                problem = notes.check(citation)
                if problem:
                    add(_calc_diagnostic(rb, calc_id, ("citations", i), "citation", f"{calc_id}: {problem}"))
        copies = CopyIndex(notes_folder)
        for entry in rb.rules:
            found = copies.copied(entry.rule.reasoning)
            if found:
                add(entry.doc.diagnostic((*entry.loc, "reasoning"), "copied_text",
                                         f"{entry.id}: the reasoning repeats the notes word for word "
                                         f"(\"{found}\"); write it in our own words"))
    coverage = _coverage(rb.root, report, fired)
    field = _field_coverage(rb, report)
    report.findings.sort()
    report.summary = [
        f"{len(rb.decisions)} decisions, {len(rb.rules)} rules, {len(rb.questions)} questions, "
        f"{len(rb.calculators)} calculators",
        f"citations checked against notes: {cited}" if notes_folder else
        "citations not checked against notes (pass --notes DIR or set ADVISOR_NOTES)",
        _basis(rb),
        f"dead ends: {evaluated} generated scenarios checked, {len(dead_ends)} decision(s) can end with nothing to ask",
        coverage,
        field,
        f"{len(report.findings)} finding(s)",
    ]
    return report


def _basis(rb: Any) -> str:
    """How the rules are sourced: the notes alone, the notes and AWS documentation, or AWS alone."""
    rules = [entry.rule for entry in rb.rules]
    notes_only = sum(1 for r in rules if r.citations and not r.sources)
    both = sum(1 for r in rules if r.citations and r.sources)
    aws_only = sum(1 for r in rules if r.aws_only)
    changed = sum(len(r.freshness) for r in rules) + sum(len(c.calculator.freshness) for c in rb.calculators.values())
    return (f"rule sources: {notes_only} notes only, {both} notes and AWS documentation, {aws_only} AWS only; "
            f"{changed} fact(s) where AWS has changed what the notes say")


def _tests(condition: Any) -> list[Any]:
    from advisor.models.conditions import iter_tests

    return iter_tests(condition)


def _question_file(rb: Any, qid: str) -> str:
    for name, doc in rb.docs.items():
        if name.startswith("questions/") and any(q.get("id") == qid for q in doc.data.get("questions", [])):
            return doc.shown_path
    return "questions"


def _calc_diagnostic(rb: Any, calc_id: str, below: tuple[Any, ...], kind: str, message: str) -> Diagnostic:
    """A finding about a calculator, at its line (`below`: the part of the calculator it is about)."""
    for name, doc in rb.docs.items():
        if not name.startswith("calculators/") or not isinstance(doc.data, dict):
            continue
        entries = doc.data.get("calculators")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and entry.get("id") == calc_id:
                return doc.diagnostic(("calculators", i, *below), kind, message)
    return Diagnostic.at_file(_calc_file(rb, calc_id), kind, message)


def _calc_file(rb: Any, calc_id: str) -> str:
    for name, doc in rb.docs.items():
        if name.startswith("calculators/") and any(c.get("id") == calc_id for c in doc.data.get("calculators", [])):
            return doc.shown_path
    return "calculators"


def _check_tests(advisor: Advisor, report: LintReport) -> tuple[set[str], set[str] | None]:
    """The decisions that have test files, and the rules that fire in some case (None when a test file did
    not load: its cases are unknown, and every rule they cover would be reported as untested)."""
    rb = advisor.rulebase
    tested: set[str] = set()
    fired: set[str] | None = set()
    for path in decision_test_files(rb.root):
        try:
            cases = load_cases(path)
        except InvalidInput as exc:
            report.findings += exc.diagnostics
            fired = None
            continue
        if not cases:
            continue
        decision_id = cases[0].decision
        tested.add(decision_id)
        try:
            decision = rb.decision(decision_id)
        except StopIteration:
            report.findings.append(cases[0].doc.diagnostic(("decision",), "unknown_decision",
                                                           f"no decision '{decision_id}'"))
            continue
        recommended = {c.case.expect.recommended for c in cases}
        statuses = {c.case.expect.status for c in cases}
        for option in decision.options:
            if option.id not in recommended:
                report.findings.append(cases[0].doc.diagnostic(
                    ("decision",), "untested_option", f"no case expects '{option.id}' to be recommended"))
        # A decision with tie-breaks may never stay undecided (when it applies only once its questions are
        # answered); one without a default or tie-breaks must show the undecided case.
        if "undecided" not in statuses and decision.fallback.option is None and not decision.fallback.prefer:
            report.findings.append(cases[0].doc.diagnostic(("decision",), "untested_undecided",
                                                           "no case expects the decision to stay undecided"))
        if decision.fallback.option is not None and not any(
                c.case.expect.recommended == decision.fallback.option and not c.case.expect.fired for c in cases):
            report.findings.append(cases[0].doc.diagnostic(
                ("decision",), "untested_default",
                f"no case shows the default '{decision.fallback.option}' when nothing decides"))
        _check_expected_ids(rb, decision, cases, report)
        for case in cases:
            result = check_case(advisor, case)
            if fired is not None:
                fired |= result.fired
            for problem in result.problems:
                report.findings.append(case.doc.diagnostic(("cases", case.index, "name"), "failing_case",
                                                           f"{case.case.name}: {problem}"))
    return tested, fired


def _check_expected_ids(rb: Any, decision: Any, cases: list[Any], report: LintReport) -> None:
    """Every option and rule a case names exists: `not_fired: [a misspelt id]` or `not_excluded` with one
    would pass forever, and `fired` with one would fail saying only that it "did not fire"."""
    options = {o.id for o in decision.options}
    rule_ids = {entry.id for entry in rb.rules}
    for case in cases:
        expect = case.case.expect
        named: list[tuple[str, int | None, str]] = [("recommended", None, expect.recommended)] if (
            expect.recommended) else []
        for kind in ("together", "excluded", "not_excluded"):
            named += [(kind, i, option) for i, option in enumerate(getattr(expect, kind))]
        for kind, i, option in named:
            if option not in options:
                where = ("cases", case.index, "expect", kind, *(() if i is None else (i,)))
                report.findings.append(case.doc.diagnostic(
                    where, "unknown_option", f"{case.case.name}: '{option}' is not an option of {decision.id} "
                    f"(options: {', '.join(sorted(options))})"))
        for kind in ("fired", "not_fired"):
            for i, rule_id in enumerate(getattr(expect, kind)):
                if rule_id not in rule_ids:
                    report.findings.append(case.doc.diagnostic(
                        ("cases", case.index, "expect", kind, i), "unknown_rule",
                        f"{case.case.name}: no rule {rule_id} in the rule base"))


def _check_retired(rb: Any, report: LintReport) -> None:
    """rules/retired.yaml lists removed rule ids; a rule may not take one again (reports cite rule ids)."""
    path = rb.root / "retired.yaml"
    if not path.is_file():
        return
    from advisor.models.retired import RetiredFile
    from advisor.sources.validation import validate_document

    doc = read_yaml_file(path)
    try:
        retired = validate_document(doc, RetiredFile)  # a malformed id is located at its line
    except InvalidInput as exc:
        report.findings += exc.diagnostics
        return
    seen: set[str] = set()
    for i, item in enumerate(retired.retired):
        if item.id in seen:
            report.findings.append(doc.diagnostic(("retired", i, "id"), "duplicate_retired",
                                                  f"{item.id} is listed twice"))
        seen.add(item.id)
    live = {entry.id: entry for entry in rb.rules}
    for item in retired.retired:
        if item.id in live:
            entry = live[item.id]
            report.findings.append(entry.doc.diagnostic(
                (*entry.loc, "id"), "retired_rule_id",
                f"{item.id} is retired (rules/retired.yaml): removed rule ids are never reused; take a new id"))


def _coverage(root: Path, report: LintReport, fired: set[str] | None) -> str:
    """rules/coverage/*.yaml map catalog item ids to rule ids, or to a reason the item is left out."""
    folder = root / "coverage"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        return "coverage: no coverage files (rules/coverage/*.yaml)"
    from advisor.models.coverage import CoverageFile
    from advisor.sources.validation import validate_document

    encoded = rejected = unproven = 0
    for path in files:
        try:
            cov = validate_document(read_yaml_file(path), CoverageFile)
        except InvalidInput as exc:
            report.findings += exc.diagnostics
            continue
        doc = read_yaml_file(path)
        for i, item in enumerate(cov.items):
            # An item counts as encoded only when a rule test case fires one of its rules (or a calculator
            # encodes it): a rule that never fires in a case proves nothing about the item.
            if item.rules and fired is not None and not (set(item.rules) & fired) and not item.calculators:
                report.findings.append(doc.diagnostic(("items", i, "rules"), "coverage_unproven",
                                                      f"{item.item}: none of {', '.join(item.rules)} fires in "
                                                      "a rule test case"))
                unproven += 1
            elif item.rules or item.calculators:
                encoded += 1
            else:
                rejected += 1
    total = encoded + rejected + unproven
    share = 100.0 * encoded / total if total else 0.0
    return (f"coverage: {encoded}/{total} catalog items encoded and fired in a rule test case ({share:.1f}%), "
            f"{rejected} left out with reasons" + (f", {unproven} not proven by a test case" if unproven else ""))


def _field_coverage(rb: Any, report: LintReport) -> str:
    """rules/coverage/field/*.yaml: the choices of the field, each covered by decisions or out of scope."""
    folder = rb.root / "coverage" / "field"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        return "field coverage: no field map (rules/coverage/field/*.yaml)"
    from advisor.models.field_map import FieldMapFile
    from advisor.sources.validation import validate_document

    decisions = {d.id: {o.id for o in d.options} for d in rb.decisions}
    seen: set[str] = set()
    covered = out = 0
    by_area: dict[str, list[int]] = {}
    for path in files:
        doc = read_yaml_file(path)
        try:
            field_map = validate_document(doc, FieldMapFile)
        except InvalidInput as exc:
            report.findings += exc.diagnostics
            continue
        for i, choice in enumerate(field_map.choices):
            if choice.id in seen:
                report.findings.append(doc.diagnostic(("choices", i, "id"), "duplicate_field_choice",
                                                      f"field choice '{choice.id}' is listed twice"))
            seen.add(choice.id)
            for j, coverer in enumerate(choice.covered_by):
                where = ("choices", i, "covered_by", j)
                if coverer.decision not in decisions:
                    report.findings.append(doc.diagnostic((*where, "decision"), "unknown_decision",
                                                          f"{choice.id}: no decision '{coverer.decision}'"))
                    continue
                for option in coverer.options:
                    if option not in decisions[coverer.decision]:
                        report.findings.append(doc.diagnostic(
                            (*where, "options"), "unknown_option",
                            f"{choice.id}: decision '{coverer.decision}' has no option '{option}'"))
            tally = by_area.setdefault(field_map.area, [0, 0])
            tally[1] += 1
            if choice.covered_by:
                covered += 1
                tally[0] += 1
            else:
                out += 1
    total = covered + out
    share = 100.0 * covered / total if total else 0.0
    areas = ", ".join(f"{a} {c}/{t}" for a, (c, t) in sorted(by_area.items()))
    return f"field coverage: {covered}/{total} choices covered ({share:.1f}%), {out} out of scope ({areas})"
