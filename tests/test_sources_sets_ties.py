"""The rule language's AWS sources and freshness records, combinations (mixed workloads) and tie-breaks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from advisor.analysis.dead_ends import find_dead_ends
from advisor.analysis.lint import lint
from advisor.inference.evaluation import Advisor
from advisor.inference.resolution import resolve
from advisor.models.advice import ScenarioRef
from advisor.models.decision import Decision, Rule
from advisor.render.json_format import render_json
from advisor.render.markdown import render_markdown

FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"
NOTE = {"note": "001_3a3c0835dfb19cbf.txt", "section": "1.1.1 Data stream", "lines": [79, 79]}
SOURCE = {"url": "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html",
          "title": "Quotas and limits", "read": "2026-12"}
FRESH = {"notes_say": "A record is at most 1 MB.", "aws_says": "Records up to 10 MiB once the stream allows it.",
         "source": SOURCE["url"]}


def rule(**extra: Any) -> dict[str, Any]:
    base = {"id": "TST-001", "title": "A test rule", "when": {"fact": "x", "equals": True}, "recommend": ["a"],
            "reasoning": "Because the test says so, in our own words."}
    return {**base, **extra}


# ---- sources and freshness -------------------------------------------------------------------------

def test_a_rule_may_rest_on_notes_on_aws_or_on_both() -> None:
    assert not Rule.model_validate(rule(citations=[NOTE])).aws_only
    assert Rule.model_validate(rule(sources=[SOURCE])).aws_only
    both = Rule.model_validate(rule(citations=[NOTE], sources=[SOURCE], freshness=[FRESH]))
    assert not both.aws_only and both.freshness[0].source == SOURCE["url"]


@pytest.mark.parametrize(("extra", "message"), [
    ({}, "at least one notes citation"),
    ({"sources": [{**SOURCE, "url": "https://example.com/page"}]}, "String should match pattern"),
    ({"sources": [{**SOURCE, "read": "2026-13"}]}, "String should match pattern"),
    ({"sources": [{**SOURCE, "read": "December 2026"}]}, "String should match pattern"),
    ({"sources": [SOURCE, SOURCE]}, "listed twice"),
    ({"citations": [NOTE], "sources": [SOURCE],
      "freshness": [{**FRESH, "source": "https://docs.aws.amazon.com/other.html"}]}, "not one of this entry's sources"),
    ({"sources": [SOURCE], "freshness": [FRESH]}, "cite the notes passage"),
])
def test_malformed_sources_are_refused(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Rule.model_validate(rule(**extra))


@pytest.fixture
def sourced_rules(tmp_path: Path) -> Path:
    """The core fixture with AWS sources and a freshness record on the streaming size rule."""
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURE, folder)
    path = folder / "decisions" / "stream.yaml"
    data = yaml.safe_load(path.read_text())
    first = data["rules"][0]
    first["sources"] = [SOURCE]
    first["freshness"] = [FRESH]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def test_advice_lists_the_outdated_facts_it_rests_on(sourced_rules: Path) -> None:
    adv = Advisor.from_folder(sourced_rules, "reference")
    data = yaml.safe_load((sourced_rules / "decisions" / "stream.yaml").read_text())
    first = data["rules"][0]
    # answers that make the first streaming rule fire: read its condition's facts from the fixture
    fired_any = False
    for size in (5000, 100):
        advice = adv.advise(adv.check({"size_kb": size, "replay": True, "ordering": "strict"}),
                            ScenarioRef(id="t", title="t"))
        fired = {t.rule_id for t in advice.trace}
        if first["id"] in fired:
            fired_any = True
            assert [(o.by, o.notes_say, o.source.url) for o in advice.outdated] == [
                (first["id"], FRESH["notes_say"], SOURCE["url"])]
            trace = next(t for t in advice.trace if t.rule_id == first["id"])
            assert trace.sources[0].title == SOURCE["title"]
            markdown = render_markdown(advice)
            assert "## Where the notes are out of date" in markdown and "A record is at most 1 MB." in markdown
            assert '"outdated": [' in render_json(advice)
        else:
            assert advice.outdated == []
    assert fired_any, "no answers made the sourced rule fire: the test lost its point"
    report = lint(adv)
    assert any("1 notes and AWS documentation" in line and "1 fact(s)" in line for line in report.summary)
    adv.close()


# ---- combinations and tie-breaks -------------------------------------------------------------------

def decision(**extra: Any) -> Decision:
    base: dict[str, Any] = {
        "id": "d", "title": "Decision", "question": "Which one?", "area": "core",
        "options": [{"id": o, "label": o.upper(), "summary": o} for o in ("a", "b", "c")],
        "fallback": {"ask": ["x"]},
        "rules": [rule(id="TST-001", citations=[NOTE], recommend=["a"], strength="must"),
                  rule(id="TST-002", citations=[NOTE], recommend=["b"], strength="should"),
                  rule(id="TST-003", citations=[NOTE], recommend=["c"], strength="must")],
    }
    return Decision.model_validate({**base, **extra})


def fire(d: Decision, *ids: str, settled: bool = False):  # type: ignore[no-untyped-def]
    return resolve(d, [r for r in d.rules if r.id in ids], settled=settled)


def test_a_declared_combination_recommends_the_favoured_members_together() -> None:
    d = decision(combinations=[{"options": ["a", "b"], "reasoning": "They serve different parts of the data."}])
    res = fire(d, "TST-001", "TST-002")
    assert (res.status, res.recommended, res.companions) == ("recommended", "a", ("b",))
    # without the combination, b is only an alternative
    plain = fire(decision(), "TST-001", "TST-002")
    assert (plain.recommended, plain.companions) == ("a", ())


def test_a_member_no_rule_favours_is_not_added() -> None:
    d = decision(combinations=[{"options": ["a", "b"], "reasoning": "They serve different parts of the data."}])
    assert fire(d, "TST-001").companions == ()


def test_tied_members_of_one_combination_are_recommended_together_instead_of_undecided() -> None:
    d = decision(combinations=[{"options": ["a", "c"], "reasoning": "They serve different parts of the data."}])
    res = fire(d, "TST-001", "TST-003")
    assert (res.status, res.recommended, res.companions) == ("recommended", "a", ("c",))
    assert fire(decision(), "TST-001", "TST-003").status == "undecided"


def test_combinations_are_validated() -> None:
    with pytest.raises(ValidationError, match="unknown options: z"):
        decision(combinations=[{"options": ["a", "z"], "reasoning": "They serve different parts of the data."}])
    with pytest.raises(ValidationError, match="policy: weighted"):
        decision(policy="first", combinations=[{"options": ["a", "b"], "reasoning": "Different parts of the data."}])


def test_a_tie_break_applies_only_once_nothing_is_left_to_ask() -> None:
    d = decision(fallback={"ask": ["x"], "prefer": [{"option": "c", "assumption": "Assumes c is the safer one."}]})
    open_tie = fire(d, "TST-001", "TST-003")
    assert open_tie.status == "undecided"
    settled_tie = fire(d, "TST-001", "TST-003", settled=True)
    assert (settled_tie.status, settled_tie.recommended, settled_tie.strength) == ("recommended", "c", "default")
    assert settled_tie.assumption == "Assumes c is the safer one."
    # a preferred option outside the tie does not win
    assert fire(decision(fallback={"ask": ["x"], "prefer": [{"option": "b", "assumption": "Assumes b is fine."}]}),
                "TST-001", "TST-003", settled=True).status == "undecided"


def test_dead_ends_are_found_and_cured_by_a_tie_break(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURE, folder)
    path = folder / "decisions" / "stream.yaml"
    data = yaml.safe_load(path.read_text())
    data["fallback"] = {"ask": data["fallback"].get("ask", [])}  # no default: ties can end nowhere
    data["rules"] = [r for r in data["rules"] if r.get("exclude") or r.get("require")][:1] or data["rules"][:1]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    adv = Advisor.from_folder(folder, "reference")
    evaluated, dead = find_dead_ends(adv, samples=200)
    adv.close()
    assert evaluated > 0
    if not dead:
        pytest.skip("this fixture cannot reach a dead end; the shipped-rules lint test covers the check")
    data["fallback"]["prefer"] = [{"option": o["id"], "assumption": "Assumes the first option fits."}
                                  for o in data["options"]]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    adv = Advisor.from_folder(folder, "reference")
    assert find_dead_ends(adv, samples=200)[1] == []
    adv.close()


def test_no_shipped_decision_ends_at_a_dead_end(reference_advisor: Advisor) -> None:
    evaluated, dead = find_dead_ends(reference_advisor)
    assert evaluated > 200
    assert dead == []


def test_device_telemetry_and_video_get_both_services(reference_advisor: Advisor) -> None:
    answers = {"topics": ["streaming_ingestion"], "source_type": ["iot_devices", "video_audio"],
               "edge_compute_required": False}
    advice = reference_advisor.advise(reference_advisor.check(answers), ScenarioRef(id="t", title="t"))
    d = next(d for d in advice.decisions if d.id == "device_and_media_ingestion")
    assert d.recommended is not None and d.recommended.option == "kinesis_video_streams"
    assert [o.option for o in d.together] == ["iot_core_rules"]
    assert "iot_core_rules" not in {o.option for o in d.alternatives}
    assert "together with" in d.summary
    assert "+ AWS IoT Core" in render_markdown(advice)


# ---- our own words -------------------------------------------------------------------------------

def test_eight_shared_words_are_reported_and_seven_are_not(tmp_path: Path) -> None:
    from advisor.sources.copied_text import CopyIndex

    (tmp_path / "n.txt").write_text("Kinesis Data Streams keeps every record for a day by default, then drops it.\n")
    index = CopyIndex(tmp_path)
    assert index.copied("As the notes put it, KINESIS data streams keeps every record, for a day! By default.") == (
        "kinesis data streams keeps every record for a day by default")
    assert index.copied("kinesis data streams keeps every record for one day") is None  # seven shared words
    assert index.scan([("R-1", "our own words entirely"), ("R-2", "streams keeps every record for a day by default")]
                      ) == [("R-2", "streams keeps every record for a day by default")]


# ---- outside what the advisor covers ------------------------------------------------------------------

def test_a_need_no_option_meets_is_reported_as_outside_instead_of_a_win() -> None:
    d = decision(rules=[rule(id="TST-001", citations=[NOTE], recommend=["a"], strength="must"),
                        rule(id="TST-009", citations=[NOTE], recommend=[],
                             outside="a parallel file system for HPC: Amazon FSx for Lustre")])
    assert fire(d, "TST-001").recommended == "a"
    res = fire(d, "TST-001", "TST-009")
    assert (res.status, res.recommended) == ("out_of_scope", None)
    assert "FSx for Lustre" in res.reason


def test_outside_reaches_every_output(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURE, folder)
    path = folder / "decisions" / "wf.yaml"
    data = yaml.safe_load(path.read_text())
    data["rules"].append({"id": "WFT-009", "title": "Workflows longer than a year are beyond Step Functions",
                          "when": {"fact": "duration_s", "gt": 31_536_000 - 1}, "strength": "must",
                          "outside": "a scheduler for work that runs longer than a year",
                          "reasoning": "No workflow option here runs that long; test rule.",
                          "citations": [NOTE]})
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    adv = Advisor.from_folder(folder, "reference")
    questions = adv.rulebase.questions
    top = questions["duration_s"].max
    advice = adv.advise(adv.check({"duration_s": top}), ScenarioRef(id="t", title="t"))
    adv.close()
    wf = next(d for d in advice.decisions if d.id == "wf")
    assert wf.status == "out_of_scope" and wf.recommended is None
    assert wf.summary.startswith("Outside what this advisor covers: a scheduler")
    assert "**Outside what this advisor covers**" in render_markdown(advice)
    assert '"status": "out_of_scope"' in render_json(advice)
