"""Load the knowledge base (rules/ folder) into validated, cross-checked models.

Layout of a rules folder:
  questions/*.yaml     questionnaire areas and questions
  calculators/*.yaml   derived numbers computed by formula
  derivations/*.yaml   rules that only derive facts
  decisions/<id>.yaml  one decision table each (+ <id>.test.yaml beside it)
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from advisor.models.calculator import Calculator, CalculatorFile
from advisor.models.conditions import NUMERIC_OPERATORS, AllOf, Condition, FactTest, NotOf
from advisor.models.decision import Decision, DerivationFile, Rule
from advisor.models.questionnaire import Area, Question, QuestionFile
from advisor.shared.diagnostics import MAX_PROBLEMS_PER_FILE, Diagnostic, InvalidInput, display_path
from advisor.sources.formula import Formula, FormulaError, parse_formula
from advisor.sources.validation import validate_document
from advisor.sources.yaml_source import SourceDocument, read_yaml_file

RESERVED_FACTS = frozenset({"unknown"})
"""Fact ids the rule language itself keeps: 'unknown' is the answer that means "not known" in scenario
files, the TUI and explanations ("size_kb is unknown"), so a fact of that name would read ambiguously.
No id is reserved for an engine: backends map facts to their own names (advisor/inference/durable)."""
MAX_ABS_NUMBER = 1e15
"""Largest magnitude of a number in rules and answers: below 2**53 (about 9e15) with a margin, so every
whole number is exact as a float too and comparisons mean the same in Python and in any engine."""


@dataclass(frozen=True)
class RuleEntry:
    """A rule with where it lives."""

    rule: Rule
    decision: str | None
    order: int
    """Position in the global file order (decisions by order/id, then derivation files)."""
    doc: SourceDocument
    loc: tuple[Any, ...]

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class CalculatorEntry:
    calculator: Calculator
    formula: Formula


@dataclass
class RuleBase:
    root: Path
    areas: list[Area]
    questions: dict[str, Question]
    question_area: dict[str, str]
    calculators: dict[str, CalculatorEntry]
    """In evaluation order (inputs before the calculators that use them)."""
    decisions: list[Decision]
    rules: list[RuleEntry]
    derived_values: dict[str, Any]
    """Derived fact -> the value every rule deriving it gives."""
    derived_by: dict[str, list[str]]
    digest: str
    docs: dict[str, SourceDocument] = field(default_factory=dict)
    """Parsed files by path relative to root, for located lint messages."""
    notices: list[Diagnostic] = field(default_factory=list)
    """Entries of the rule folders that were not read (a backup, an upper-case .YAML, a subfolder):
    not errors, but never skipped without a word."""

    def rule(self, rule_id: str) -> RuleEntry:
        return self._rules_by_id[rule_id]

    def __post_init__(self) -> None:
        self._rules_by_id = {entry.id: entry for entry in self.rules}

    def decision(self, decision_id: str) -> Decision:
        return next(d for d in self.decisions if d.id == decision_id)

    def fact_kind(self, fact: str) -> str:
        if fact in self.questions:
            return "answer"
        if fact in self.calculators:
            return "calculated"
        return "derived"

    def fact_label(self, fact: str) -> str:
        if fact in self.questions:
            return self.questions[fact].prompt
        if fact in self.calculators:
            return self.calculators[fact].calculator.label
        return fact.replace("_", " ")


def _short_number(value: float) -> str:
    """A number for a message: the digits of a constant written in a formula are not bounded."""
    if isinstance(value, int) and abs(value) >= 10**30:  # str() refuses ints beyond 4300 digits
        return f"of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return str(value)


def iter_tests_at(condition: Condition, loc: tuple[Any, ...]) -> list[tuple[FactTest, tuple[Any, ...], bool]]:
    """(test, loc in the document, under an odd number of nots) for each fact test."""
    out: list[tuple[FactTest, tuple[Any, ...], bool]] = []

    def walk(node: Condition, where: tuple[Any, ...], negated: bool) -> None:
        if isinstance(node, FactTest):
            out.append((node, where, negated))
        elif isinstance(node, NotOf):
            walk(node.not_, (*where, "not"), not negated)
        else:
            key = "all" if isinstance(node, AllOf) else "any"
            children = node.all if isinstance(node, AllOf) else node.any  # type: ignore[union-attr]
            for i, child in enumerate(children):
                walk(child, (*where, key, i), negated)

    walk(condition, loc, False)
    return out


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[Diagnostic] = []
        self.notices: list[Diagnostic] = []
        self.docs: dict[str, SourceDocument] = {}
        self.hash = hashlib.sha256()

    def read(self, path: Path, model: type[Any]) -> tuple[SourceDocument, Any] | None:
        try:
            doc = read_yaml_file(path)
            self.docs[path.relative_to(self.root).as_posix()] = doc
            self.hash.update(path.relative_to(self.root).as_posix().encode())
            self.hash.update(path.read_bytes())
            return doc, validate_document(doc, model)
        except InvalidInput as exc:
            self.errors += exc.diagnostics
            return None
        except OSError as exc:  # read_yaml_file read it, but the second read for the digest failed
            self.errors.append(Diagnostic.of_os_error(exc, display_path(path)))
            return None

    def rule_files(self, folder: Path) -> list[Path]:
        """The rule files of one folder in name order (test files aside). Every *.yaml entry is read, so a
        file that is unreadable or not a regular file is an error rather than a rule quietly left out;
        other entries are ignored with a notice."""
        try:
            if not folder.is_dir():
                return []
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            self.errors.append(Diagnostic.at_file(display_path(folder), "unreadable",
                                                  f"cannot read this rules folder: {exc.strerror or exc}"))
            return []
        files: list[Path] = []
        for path in entries:
            if path.name.endswith((".test.yaml", ".test.yml")):
                continue  # decision tests, read by the rule-case runner
            if path.suffix in (".yaml", ".yml"):
                files.append(path)
            elif not path.name.startswith("."):  # hidden files (.gitkeep, editor swap files) are nobody's rules
                try:
                    what = "a subfolder" if path.is_dir() else "not a .yaml or .yml file (lower case)"
                except OSError:
                    what = "not a .yaml or .yml file (lower case)"
                self.notices.append(Diagnostic.at_file(display_path(path), "ignored_file",
                                                       f"not read as rules: {what}"))
        return files

    def load(self) -> RuleBase:
        if not self.root.is_dir():
            raise InvalidInput([Diagnostic.at_file(self.root, "rules_folder", "rules folder not found")])
        areas, questions, question_area, question_docs = self._questions()
        calculators = self._calculators(questions)
        decisions, rules = self._rules()
        if self.errors:  # cross-file checks on half-loaded files would only add noise
            raise InvalidInput(sorted(set(self.errors + self.notices)))
        self.check_references(questions, question_docs, calculators, decisions, rules)
        derived_values, derived_by = self._derived(rules, questions, calculators)
        self._derivation_cycles(rules, derived_by)
        if self.errors:
            raise InvalidInput(sorted(set(self.errors + self.notices)))
        return RuleBase(self.root, areas, questions, question_area, calculators, decisions, rules,
                        derived_values, derived_by, self.hash.hexdigest()[:16], self.docs,
                        sorted(set(self.notices)))

    def _questions(self) -> tuple[list[Area], dict[str, Question], dict[str, str], dict[str, SourceDocument]]:
        areas: list[Area] = []
        questions: dict[str, Question] = {}
        question_area: dict[str, str] = {}
        docs: dict[str, SourceDocument] = {}
        files = self.rule_files(self.root / "questions")
        if not files:
            self.errors.append(Diagnostic.at_file(self.root / "questions", "no_questions",
                                                  "no question files (rules/questions/*.yaml)"))
        loaded = [(p, self.read(p, QuestionFile)) for p in files]
        for _, result in sorted(((p, r) for p, r in loaded if r), key=lambda x: (x[1][1].area.order, x[1][1].area.id)):
            doc, qfile = result
            if any(a.id == qfile.area.id for a in areas):
                self.errors.append(doc.diagnostic(("area", "id"), "duplicate_id",
                                                  f"area '{qfile.area.id}' is defined in two files"))
            areas.append(qfile.area)
            for i, question in enumerate(qfile.questions):
                where = ("questions", i, "id")
                if question.id in questions:
                    self.errors.append(doc.diagnostic(where, "duplicate_id",
                                                      f"question '{question.id}' is defined twice"))
                    continue
                if question.id in RESERVED_FACTS:
                    self.errors.append(doc.diagnostic(where, "reserved_id", f"'{question.id}' is a reserved name"))
                for bound in (question.min, question.max):
                    if bound is not None and abs(bound) > MAX_ABS_NUMBER:
                        self.errors.append(doc.diagnostic(("questions", i), "number_range",
                                                          f"min/max beyond ±{MAX_ABS_NUMBER:g} are not supported"))
                questions[question.id] = question
                question_area[question.id] = qfile.area.id
                docs[question.id] = doc
        return areas, questions, question_area, docs

    def _calculators(self, questions: dict[str, Question]) -> dict[str, CalculatorEntry]:
        entries: dict[str, tuple[CalculatorEntry, SourceDocument, int]] = {}
        for path in self.rule_files(self.root / "calculators"):
            result = self.read(path, CalculatorFile)
            if not result:
                continue
            doc, cfile = result
            for i, calc in enumerate(cfile.calculators):
                if calc.id in questions or calc.id in entries:
                    self.errors.append(doc.diagnostic(("calculators", i, "id"), "duplicate_id",
                                                      f"'{calc.id}' is already a question or calculator"))
                    continue
                try:
                    formula = parse_formula(calc.formula)
                except FormulaError as exc:
                    self.errors.append(doc.diagnostic(("calculators", i, "formula"), "formula", str(exc)))
                    continue
                huge = [c for c in formula.constants if not abs(c) <= MAX_ABS_NUMBER]  # NaN-safe comparison
                if huge:
                    self.errors.append(doc.diagnostic(("calculators", i, "formula"), "number_range",
                                                      f"the constant {_short_number(huge[0])} is beyond "
                                                      f"±{MAX_ABS_NUMBER:g}"))
                    continue
                entries[calc.id] = (CalculatorEntry(calc, formula), doc, i)
        graph: dict[str, set[str]] = {}
        for calc_id, (entry, doc, i) in entries.items():
            for name in entry.formula.names:
                if name in questions:
                    if questions[name].type != "number":
                        self.errors.append(doc.diagnostic(("calculators", i, "formula"), "formula",
                                                          f"'{name}' is a {questions[name].type} question; "
                                                          "formulas read number questions"))
                elif name not in entries:
                    self.errors.append(doc.diagnostic(("calculators", i, "formula"), "unknown_fact",
                                                      f"the formula reads '{name}', which is neither a number "
                                                      "question nor a calculator"))
            graph[calc_id] = {n for n in entry.formula.names if n in entries}
        try:
            order = list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            cycle = " -> ".join(exc.args[1])
            first = exc.args[1][0]
            _, doc, i = entries[first]
            self.errors.append(doc.diagnostic(("calculators", i, "formula"), "cycle",
                                              f"calculators depend on each other in a cycle: {cycle}"))
            order = list(entries)
        return {calc_id: entries[calc_id][0] for calc_id in order}

    def _rules(self) -> tuple[list[Decision], list[RuleEntry]]:
        decisions: list[tuple[Decision, SourceDocument]] = []
        for path in self.rule_files(self.root / "decisions"):
            result = self.read(path, Decision)
            if not result:
                continue
            doc, decision = result
            if path.stem != decision.id:
                self.errors.append(doc.diagnostic(("id",), "file_name",
                                                  f"decision '{decision.id}' must live in {decision.id}.yaml"))
            decisions.append((decision, doc))
        decisions.sort(key=lambda pair: (pair[0].order, pair[0].id))
        rules: list[RuleEntry] = []
        seen: dict[str, str] = {}

        def add(rule: Rule, decision: str | None, doc: SourceDocument, loc: tuple[Any, ...]) -> None:
            if rule.id in seen:
                self.errors.append(doc.diagnostic((*loc, "id"), "duplicate_id",
                                                  f"rule id {rule.id} is already used in {seen[rule.id]}"))
                return
            seen[rule.id] = doc.shown_path
            rules.append(RuleEntry(rule, decision, len(rules), doc, loc))

        for decision, doc in decisions:
            for i, rule in enumerate(decision.rules):
                add(rule, decision.id, doc, ("rules", i))
        for path in self.rule_files(self.root / "derivations"):
            result = self.read(path, DerivationFile)
            if result:
                doc, dfile = result
                for i, rule in enumerate(dfile.rules):
                    add(rule, None, doc, ("rules", i))
        self.decision_docs = {d.id: doc for d, doc in decisions}
        return [d for d, _ in decisions], rules

    def _derived(self, rules: list[RuleEntry], questions: dict[str, Question],
                 calculators: dict[str, CalculatorEntry]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        values: dict[str, Any] = {}
        by: dict[str, list[str]] = {}
        for entry in rules:
            for j, derivation in enumerate(entry.rule.derive):
                where = (*entry.loc, "derive", j)
                if derivation.fact in questions or derivation.fact in calculators or derivation.fact in RESERVED_FACTS:
                    self.errors.append(entry.doc.diagnostic((*where, "fact"), "derive_answer",
                                                            f"'{derivation.fact}' is a question, calculator or "
                                                            "reserved name; rules derive new facts only"))
                    continue
                if derivation.fact in values and values[derivation.fact] != derivation.value:
                    self.errors.append(entry.doc.diagnostic(
                        (*where, "value"), "derive_conflict",
                        f"'{derivation.fact}' is derived as {values[derivation.fact]!r} by "
                        f"{by[derivation.fact][0]} and as {derivation.value!r} here; a derived fact has one value"))
                    continue
                values[derivation.fact] = derivation.value
                by.setdefault(derivation.fact, []).append(entry.id)
        return values, by

    def _derivation_cycles(self, rules: list[RuleEntry], derived_by: dict[str, list[str]]) -> None:
        """Rules that derive each other's facts in a cycle are invalid input.

        Inference would still terminate (facts only grow), but a fact in such a cycle can justify
        itself: the explanation would read "x because y because x", so the rule base is refused
        with the rule where the cycle starts, rather than merely linted.
        """
        from advisor.models.conditions import iter_tests

        graph: dict[str, set[str]] = {}
        for entry in rules:
            needs = {t.fact for t in iter_tests(entry.rule.when) if t.fact in derived_by}
            graph[entry.id] = {r for fact in needs for r in derived_by[fact]}
        try:
            tuple(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            cycle: list[str] = list(exc.args[1])
            by_id = {entry.id: entry for entry in rules}
            first = min((by_id[r] for r in set(cycle)), key=lambda e: e.order)
            start = cycle.index(first.id)
            # print the cycle from the first rule in file order, so the message is stable
            ordered = cycle[start:-1] + cycle[:start] + [first.id]
            self.errors.append(first.doc.diagnostic(
                (*first.loc, "when"), "derivation_cycle",
                "rules derive each other's facts in a cycle: " + " -> ".join(ordered)))

    def check_references(self, questions: dict[str, Question], question_docs: dict[str, SourceDocument],
                         calculators: dict[str, CalculatorEntry], decisions: list[Decision],
                         rules: list[RuleEntry]) -> None:
        derived: dict[str, Any] = {}
        for entry in rules:
            for d in entry.rule.derive:
                derived.setdefault(d.fact, d.value)
        checker = _FactChecker(questions, calculators, derived, self.errors)
        for entry in rules:
            checker.check(entry.rule.when, entry.doc, (*entry.loc, "when"))
        for decision in decisions:
            doc = self.decision_docs[decision.id]
            if decision.applies_when is not None:
                checker.check(decision.applies_when, doc, ("applies_when",))
            for i, fact in enumerate(decision.fallback.ask):
                if fact not in questions:
                    self.errors.append(doc.diagnostic(("fallback", "ask", i), "unknown_question",
                                                      f"'{fact}' is not a question"))
        for question_id, question in questions.items():
            if question.ask_when is not None:
                doc = question_docs[question_id]
                index = next(i for i, q in enumerate(doc.data["questions"]) if q.get("id") == question_id)
                checker.check(question.ask_when, doc, ("questions", index, "ask_when"), answers_only=True)


class _FactChecker:
    """Conditions may only name known facts, with operators and values that fit the fact's type."""

    def __init__(self, questions: dict[str, Question], calculators: dict[str, CalculatorEntry],
                 derived: dict[str, Any], errors: list[Diagnostic]) -> None:
        self.questions, self.calculators, self.derived, self.errors = questions, calculators, derived, errors
        self.all_facts = sorted({*questions, *calculators, *derived})
        self.hints_left = MAX_PROBLEMS_PER_FILE * 4
        """Did-you-mean searches still allowed: each costs about a millisecond against hundreds of facts,
        and only the first problems of each file are listed anyway."""

    def check(self, condition: Condition, doc: SourceDocument, loc: tuple[Any, ...],
              answers_only: bool = False) -> None:
        for test, where, negated in iter_tests_at(condition, loc):
            problem = self._problem(test, negated, answers_only)
            if problem:
                kind, message = problem
                self.errors.append(doc.diagnostic((*where, "fact") if kind == "unknown_fact" else where, kind, message))

    def _problem(self, test: FactTest, negated: bool, answers_only: bool) -> tuple[str, str] | None:
        from difflib import get_close_matches

        fact, op, value = test.fact, test.operator, test.operand
        absence = negated != (op == "known" and value is False)
        if fact in self.questions:
            return self._question_problem(self.questions[fact], op, value)
        if fact in self.calculators:
            if op == "known":
                return None
            if op not in NUMERIC_OPERATORS | {"known", "equals", "not_equals", "in", "not_in"}:
                return "operator_type", f"'{fact}' is a calculated number; '{op}' does not apply"
            return self._number_values(fact, op, value)
        if fact in self.derived:
            if answers_only:
                return "derived_in_ask_when", f"ask_when can only test answers, and '{fact}' is a derived fact"
            if absence:
                return ("absence_of_derived",
                        f"'{fact}' is derived by rules; testing that it is absent (not / known: false) would make "
                        "the result depend on rule firing order. Test answers instead, or derive the opposite fact")
            sample = self.derived[fact]
            if op in NUMERIC_OPERATORS and not isinstance(sample, int | float):
                return "operator_type", f"'{fact}' is derived as {sample!r}; '{op}' needs a number"
            return None
        self.hints_left -= 1
        close = get_close_matches(fact, self.all_facts, n=1) if self.hints_left >= 0 else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return "unknown_fact", f"'{fact}' is not a question, calculator or derived fact{hint}"

    def _question_problem(self, question: Question, op: str, value: Any) -> tuple[str, str] | None:
        qtype, fact = question.type, question.id
        if op == "known":
            return None
        if qtype == "number":
            if op not in NUMERIC_OPERATORS | {"equals", "not_equals", "in", "not_in"}:
                return "operator_type", f"'{fact}' is a number question; '{op}' does not apply"
            return self._number_values(fact, op, value)
        if qtype == "boolean":
            if op not in ("equals", "not_equals"):
                return "operator_type", f"'{fact}' is a yes/no question; use equals: true/false"
            if not isinstance(value, bool):
                return "value_type", f"'{fact}' is a yes/no question; compare with true or false, not {value!r}"
            return None
        choices = [c.id for c in question.choices]
        if qtype == "multi" and op not in ("contains", "contains_any", "contains_all"):
            return "operator_type", f"'{fact}' is a multi-choice question; use contains, contains_any or contains_all"
        if qtype == "single" and op not in ("equals", "not_equals", "in", "not_in"):
            return "operator_type", f"'{fact}' is a single-choice question; use equals, not_equals, in or not_in"
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if v not in choices]
        if bad:
            return "unknown_choice", (f"{', '.join(map(repr, bad))} is not a choice of '{fact}' "
                                      f"(choices: {', '.join(choices)})")
        return None

    def _number_values(self, fact: str, op: str, value: Any) -> tuple[str, str] | None:
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float):
                return "value_type", f"'{fact}' is a number; compare it with numbers, not {v!r}"
            if v != v or abs(v) > MAX_ABS_NUMBER:
                return "number_range", f"{v!r} is not a usable threshold (NaN or beyond ±{MAX_ABS_NUMBER:g})"
        return None


def load_rulebase(root: Path) -> RuleBase:
    """Load and cross-check every rule file; raise InvalidInput with every problem found."""
    return _Loader(root).load()
