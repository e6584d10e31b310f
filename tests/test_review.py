"""Review mode: the verdict on each current choice, the plan, `advisor review`, the picture and the HTML page.

The verdict rules run on a small rule base written here, so each kind of verdict, the margin, ties and sets
are pinned by scores the test controls."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.analysis.review import CLEAR_MARGIN, review
from advisor.app.cli import main
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice, ScenarioRef
from advisor.models.review import ChoiceVerdict
from advisor.render.architecture import architecture_mermaid
from advisor.shared.diagnostics import InvalidInput
from advisor.shared.safe_text import mermaid_label
from advisor.sources.answers import load_scenario
from tests.conftest import SCENARIOS

FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules_core"
CITE = "citations: [{note: 004_70072827b93d9025.txt, section: Step Function, lines: [1442, 1442]}]"
PICK = f"""\
id: pick
title: Pick one
question: Which one fits?
area: core
stage: storage
order: 3
applies_when: {{fact: duration_s, known: true}}
options:
  - {{id: a, label: Option A, summary: The usual one}}
  - {{id: b, label: Option B, summary: The short one}}
  - {{id: c, label: Option C, summary: The third one}}
  - {{id: d, label: Option D, summary: The limited one}}
fallback: {{option: a, assumption: Assumes nothing sets the options apart., ask: [duration_s]}}
rules:
  - {{id: PICK-001, title: Long runs rule out D, when: {{fact: duration_s, gt: 1000}}, strength: must, exclude: [d],
      reasoning: D stops after a thousand seconds in this test., {CITE}}}
  - {{id: PICK-002, title: Longer runs favour A, when: {{fact: duration_s, gt: 100}}, recommend: [a],
      reasoning: A is the better fit above a hundred seconds., {CITE}}}
  - {{id: PICK-003, title: Longer runs slightly favour B, when: {{fact: duration_s, gt: 100}}, strength: consider,
      recommend: [b], reasoning: B is a fair fit above a hundred seconds., {CITE}}}
  - {{id: PICK-004, title: Very long runs rule out C, when: {{fact: duration_s, gt: 5000}}, exclude: [c],
      reasoning: C is a poor fit beyond five thousand seconds., {CITE}}}
  - {{id: PICK-005, title: Long runs weigh against B, when: {{fact: duration_s, gt: 2000}}, strength: consider,
      avoid: [b], reasoning: B gets costly beyond two thousand seconds., {CITE}}}
  - {{id: PICK-006, title: Short runs suit A and B alike, when: {{fact: duration_s, between: [0, 100]}},
      strength: consider, recommend: [a, b], reasoning: Both fit short runs equally well here., {CITE}}}
  - {{id: PICK-007, title: Huge runs require A, when: {{fact: duration_s, gte: 9000}}, strength: must, require: a,
      reasoning: Only A runs this long in this test., {CITE}}}
  - {{id: PICK-008, title: Tiny runs favour B, when: {{fact: duration_s, lt: 50}}, recommend: [b],
      reasoning: B starts fastest for tiny runs., {CITE}}}
"""
PICK2 = f"""\
id: pick2
title: Second pick
question: X or Y?
area: core
stage: processing
order: 4
applies_when: {{fact: topics, contains: wf}}
options:
  - {{id: x, label: Option X, summary: The x one}}
  - {{id: y, label: Option Y, summary: The y one}}
fallback: {{ask: [duration_s]}}
rules:
  - {{id: PICKB-001, title: Any run above ten seconds takes X, when: {{fact: duration_s, gt: 10}}, recommend: [x],
      reasoning: X handles runs above ten seconds in this test., {CITE}}}
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Advisor:
    root = tmp_path_factory.mktemp("review") / "rules"
    shutil.copytree(FIXTURE_RULES, root)
    (root / "decisions" / "pick.yaml").write_text(PICK, encoding="utf-8")
    (root / "decisions" / "pick2.yaml").write_text(PICK2, encoding="utf-8")
    return Advisor.from_folder(root, "reference")


def _advice(advisor: Advisor, answers: dict[str, object]) -> Advice:
    return advisor.advise(advisor.check(answers), ScenarioRef(id="t", title="t"))


def _judged(advisor: Advisor, answers: dict[str, object], current: dict[str, list[str]]) -> dict[str, ChoiceVerdict]:
    found = review(advisor, _advice(advisor, answers), current)
    return {f"{v.decision}={v.option}": v for v in found.verdicts}


def test_a_choice_a_must_rule_excludes_is_a_high_risk(small: Advisor) -> None:
    d = _judged(small, {"duration_s": 2000}, {"pick": ["d"]})["pick=d"]
    assert (d.risk, d.rules, d.recommended) == ("high", ["PICK-001"], "a")
    assert d.citations and d.verdicts[0].kind == "exclude"


def test_the_recommendation_is_fine_and_a_close_second_too(small: Advisor) -> None:
    judged = _judged(small, {"duration_s": 2000}, {"pick": ["a"], "pick2": ["x"]})
    assert judged["pick=a"].risk == "fine" and judged["pick=a"].rules == ["PICK-002"]
    close = _judged(small, {"duration_s": 2000}, {"pick": ["b"]})["pick=b"]  # A leads 3 to 1
    assert (close.risk, close.margin) == ("fine", 2.0)
    assert "close second" in close.reason


def test_another_option_winning_by_the_clear_margin_is_a_medium_risk(small: Advisor) -> None:
    assert CLEAR_MARGIN == 3.0  # one `should` rule's weight
    c = _judged(small, {"duration_s": 2000}, {"pick": ["c"]})["pick=c"]  # A leads 3 to 0: exactly the margin
    assert (c.risk, c.margin, c.rules) == ("medium", 3.0, ["PICK-002"])
    assert "wins by 3 points" in c.reason


def test_exclusion_by_a_weaker_rule_avoidance_and_requirement_are_medium_risks(small: Advisor) -> None:
    judged = _judged(small, {"duration_s": 6000}, {"pick": ["b", "c"]})
    assert (judged["pick=c"].risk, judged["pick=c"].rules) == ("medium", ["PICK-004"])  # a `should` exclusion
    assert (judged["pick=b"].risk, judged["pick=b"].rules) == ("medium", ["PICK-005"])  # avoided
    required = _judged(small, {"duration_s": 9000}, {"pick": ["b"]})["pick=b"]
    assert (required.risk, required.rules) == ("medium", ["PICK-007"])
    assert "required" in required.reason


def test_a_tie_with_the_recommendation_is_fine(small: Advisor) -> None:
    b = _judged(small, {"duration_s": 60}, {"pick": ["b"]})["pick=b"]  # 1 to 1; A is the default
    assert (b.risk, b.margin, b.recommended) == ("fine", 0.0, "a")
    assert "ties" in b.reason


def test_a_set_is_judged_option_by_option_and_may_run_alongside_the_recommendation(small: Advisor) -> None:
    alone = _judged(small, {"duration_s": 2000}, {"pick": ["c"]})["pick=c"]
    together = _judged(small, {"duration_s": 2000}, {"pick": ["a", "c"]})
    assert alone.risk == "medium"
    assert together["pick=a"].risk == together["pick=c"].risk == "fine"
    assert "alongside" in together["pick=c"].reason
    avoided = _judged(small, {"duration_s": 6000}, {"pick": ["a", "b"]})  # a rule against B still counts
    assert (avoided["pick=a"].risk, avoided["pick=b"].risk) == ("fine", "medium")


def test_an_undecided_or_idle_decision_cannot_be_judged_and_names_its_questions(small: Advisor) -> None:
    judged = _judged(small, {"topics": ["wf"]}, {"wf": ["express"], "pick": ["a"]})
    assert judged["wf=express"].risk == "cannot_judge"
    assert [q.id for q in judged["wf=express"].ask] == ["duration_s"]
    assert judged["pick=a"].risk == "cannot_judge"  # not in play: it applies once the duration is known
    assert [q.id for q in judged["pick=a"].ask] == ["duration_s"]


def test_the_what_if_names_the_change_that_makes_the_choice_right(small: Advisor) -> None:
    b = _judged(small, {"duration_s": 6000}, {"pick": ["b"]})["pick=b"]
    assert b.what_if is not None and (b.what_if.status, b.what_if.recommended) == ("recommended", "b")
    [change] = b.what_if.changes
    assert change.question == "duration_s" and isinstance(change.after, int | float) and change.after < 50
    assert _advice(small, {"duration_s": change.after}).decisions[-2].recommended.option == "b"  # re-evaluated
    assert _judged(small, {"duration_s": 2000}, {"pick": ["a"]})["pick=a"].what_if is None  # fine: nothing to do


def test_the_plan_orders_by_risk_then_by_the_decisions_a_step_unblocks(small: Advisor) -> None:
    advice = _advice(small, {"duration_s": 6000, "topics": ["wf"]})
    plan = review(small, advice, {"pick": ["b", "d", "a"], "pick2": ["y"]}).plan
    assert [(s.decision, s.risk) for s in plan] == [("pick", "high"), ("pick", "medium"), ("pick2", "medium")]
    assert plan[0].change == "replace Option D with Option A"
    assert plan[0].reasons[0].startswith("high risk: Option D is ruled out by a must rule (PICK-001)")
    waiting = review(small, _advice(small, {"topics": ["wf"]}), {"wf": ["express"]})
    assert waiting.highest == "cannot_judge"
    assert waiting.plan[0].unblocks == ["pick2"]  # pick2 waits for the same duration


# ---- scenario files ---------------------------------------------------------------------------------------
def _scenario(tmp_path: Path, current: str) -> Path:
    path = tmp_path / "s.scenario.yaml"
    path.write_text("title: T\nanswers:\n  duration_s: 2000\ncurrent:\n" + current, encoding="utf-8")
    return path


def test_unknown_decision_and_option_ids_are_located_with_a_did_you_mean(small: Advisor, tmp_path: Path) -> None:
    path = _scenario(tmp_path, "  pikc: a\n  pick: [a, dd]\n  wf: standrd\n")
    with pytest.raises(InvalidInput) as caught:
        load_scenario(small.rulebase, path)
    shown = [d.render().replace(str(path), "s") for d in caught.value.diagnostics]
    assert shown == [
        "s:5:3: unknown_decision: 'pikc' is not a decision; did you mean 'pick'?",
        "s:6:13: unknown_option: 'dd' is not an option of pick; did you mean 'd'? (options: a, b, c, d)",
        "s:7:7: unknown_option: 'standrd' is not an option of wf; did you mean 'standard'? "
        "(options: standard, express)",
    ]


def test_current_choices_are_read_in_decision_order_each_option_once(small: Advisor, tmp_path: Path) -> None:
    loaded = load_scenario(small.rulebase, _scenario(tmp_path, "  pick: [c, a, c]\n  wf: standard\n"))
    assert loaded.current == {"wf": ["standard"], "pick": ["a", "c"]}


# ---- the command ------------------------------------------------------------------------------------------
def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


HIGH = str(SCENARIOS / "review-payments-standard-queue.scenario.yaml")
MEDIUM = str(SCENARIOS / "review-log-shipping-on-kds.scenario.yaml")
RIGHT = str(SCENARIOS / "review-iot-telemetry-as-recommended.scenario.yaml")


@pytest.mark.parametrize(
    ("path", "fail_on", "code"),
    [
        (HIGH, None, 1),
        (HIGH, "medium", 1),
        (HIGH, "none", 0),
        (MEDIUM, None, 0),
        (MEDIUM, "medium", 1),
        (MEDIUM, "high", 0),
        (RIGHT, "medium", 0),
    ],
)
def test_review_exits_1_when_a_risk_at_or_above_fail_on_is_found(path: str, fail_on: str | None, code: int) -> None:
    args = ["review", path, "--format", "json"] + (["--fail-on", fail_on] if fail_on else [])
    exit_code, out, _ = _run(*args)
    assert exit_code == code
    assert json.loads(out)["review"]["verdicts"]


def test_review_of_a_file_without_current_choices_or_with_a_bad_one_is_invalid_input(tmp_path: Path) -> None:
    plain = str(SCENARIOS / "stream-payments-fifo.scenario.yaml")
    code, _, err = _run("review", plain)
    assert code == 2 and "no_current_choices" in err
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("title: T\nanswers: {}\ncurrent:\n  streaming_ingestion: kinesis\n", encoding="utf-8")
    code, _, err = _run("review", str(bad))
    assert code == 2 and "bad.scenario.yaml:4:24: unknown_option: 'kinesis'" in err


def test_review_of_a_folder_skips_scenarios_without_current_choices_and_says_how_many(tmp_path: Path) -> None:
    folder = tmp_path / "designs"
    folder.mkdir()
    plain = SCENARIOS / "stream-payments-fifo.scenario.yaml"
    for name in ("a-plain.yaml", "b-plain.yaml"):
        (folder / name).write_text(plain.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "c-design.yaml").write_text(Path(RIGHT).read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = _run("review", str(folder), "--format", "json", "--fail-on", "medium")
    assert code == 0, err
    assert [r["scenario"]["source"].endswith("c-design.yaml") for r in json.loads(out)] == [True]
    assert err == "note: skipped 2 scenarios without current choices (current: {decision: option})\n"
    # a file named on its own still has to state them, folder or not beside it
    code, _, err = _run("review", str(folder), str(plain))
    assert code == 2 and "stream-payments-fifo.scenario.yaml:1:1: no_current_choices" in err


def test_review_of_a_folder_where_no_scenario_states_current_choices_is_invalid_input(tmp_path: Path) -> None:
    (tmp_path / "plain.yaml").write_text(
        (SCENARIOS / "stream-payments-fifo.scenario.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = _run("review", str(tmp_path))
    assert code == 2 and out == ""
    assert err == (f"{tmp_path}:1:1: no_current_choices: none of the 1 scenario found states current choices "
                   "(current: {decision: option}): nothing to review\n")


def test_review_prints_text_and_markdown_and_evaluate_includes_the_review() -> None:
    code, out, _ = _run("review", HIGH, "--color", "never")
    assert code == 1 and "HIGH RISK" in out and "Improvement plan" in out
    code, out, _ = _run("review", HIGH, "--format", "markdown", "--fail-on", "none")
    assert "## Review of current choices" in out and "```mermaid" in out and "## Improvement plan" in out
    code, out, _ = _run("evaluate", HIGH, "--format", "json")
    assert code == 0 and json.loads(out)["review"]["highest"] == "high"
    code, out, _ = _run("evaluate", str(SCENARIOS / "stream-payments-fifo.scenario.yaml"), "--format", "json")
    assert "review" not in json.loads(out)  # no current choices: the JSON is as it was


# ---- the picture and the page -----------------------------------------------------------------------------
HOSTILE = 'Bad"] --> X[<script>alert(1)</script>\nend `|'


def test_mermaid_labels_cannot_end_the_label_the_node_or_the_block() -> None:
    label = mermaid_label(HOSTILE)
    for char in '"[]<>`|\n':
        assert char not in label
    assert label.startswith("Bad#34;#93; --#62; X#91;#60;script#62;")


def test_the_picture_groups_recommended_components_by_stage_and_marks_risky_current_ones(small: Advisor) -> None:
    advice = _advice(small, {"duration_s": 2000, "topics": ["wf"]})
    picture = architecture_mermaid(advice)
    assert picture[:2] == ["```mermaid", "flowchart LR"] and picture[-1] == "```"
    assert '  subgraph stage_storage["Storage"]' in picture and '    pick__a["Option A"]' in picture
    assert "  stage_storage --> stage_processing" in picture
    reviewed = advice.model_copy(update={"review": review(small, advice, {"pick": ["d", "a"]})})
    lines = architecture_mermaid(reviewed)
    assert '    pick__d["Option D (high risk)"]:::high' in lines and '    pick__a["Option A"]:::fine' in lines
    hostile = advice.model_copy(
        update={
            "decisions": [
                d.model_copy(update={"recommended": d.recommended.model_copy(update={"label": HOSTILE})})
                if d.id == "pick"
                else d
                for d in advice.decisions
            ]
        }
    )
    drawn = architecture_mermaid(hostile)
    assert all("<" not in line and "`" not in line for line in drawn[1:-1])
    assert len(drawn) == len(picture)  # the newline in the label made no extra line


class _Page(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.errors: list[str] = []
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href")]
        self.classes += [v or "" for k, v in attrs if k == "class"]
        if tag not in self.VOID and self.get_starttag_text() and not self.get_starttag_text().endswith("/>"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.errors.append(f"<{tag} /> is not a void element")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def test_the_html_page_is_well_formed_self_contained_and_escapes_user_text(tmp_path: Path) -> None:
    text = (SCENARIOS / "review-payments-standard-queue.scenario.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "title: Payment events on a standard queue (review)",
        "title: '<script>alert(1)</script> \"quoted\" [x](http://evil.example) <img src=x>'",
    )
    path = tmp_path / "hostile.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    for command in ("review", "evaluate"):
        extra = ["--fail-on", "none"] if command == "review" else []
        code, page, _ = _run(command, str(path), "--format", "html", *extra)
        assert code == 0
        parser = _Page()
        parser.feed(page)
        parser.close()
        assert page.startswith("<!DOCTYPE html>") and not parser.errors and not parser.open
        assert parser.tags[:4] == ["html", "head", "meta", "title"] and "body" in parser.tags
        assert "script" not in parser.tags and "img" not in parser.tags and "a" not in parser.tags
        assert parser.urls == []  # nothing to load: no src, no href
        assert "mermaid" in parser.classes and "a viewer with Mermaid" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_adrs_carry_the_picture_and_in_review_mode_the_current_choice(small: Advisor) -> None:
    from advisor.render.adr import render_adrs

    advice = _advice(small, {"duration_s": 2000})
    reviewed = advice.model_copy(update={"review": review(small, advice, {"pick": ["d"]})})
    record = next(text for name, text in render_adrs(reviewed).items() if "pick-one" in name)
    assert "### Current choice\n\n* Option D: high risk — Option D is ruled out by a must rule (PICK-001)" in record
    assert '    pick__d["Option D (high risk)"]:::high' in record and "```mermaid" in record
