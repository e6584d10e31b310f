"""The architecture as a Mermaid flowchart: the recommended components (or, in review mode, the current
ones with their risk) grouped by pipeline stage. GitHub and common Markdown editors draw it.

Labels go through `advisor.shared.safe_text.mermaid_label`; node ids are made of [a-z0-9_] only."""

from __future__ import annotations

import itertools

from advisor.models.advice import Advice
from advisor.models.decision import STAGES
from advisor.models.review import RISK_LABELS
from advisor.shared.safe_text import mermaid_id, mermaid_label

MAIN_FLOW = ("sources", "ingestion", "storage", "processing", "serving")
"""Stages joined by arrows, in data-flow order; the others (orchestration, governance...) stand beside them."""
OTHER = "other"
_RISK_STYLE = {
    "high": "fill:#f8d7da,stroke:#b02a37,stroke-width:3px",
    "medium": "fill:#fff3cd,stroke:#b58105,stroke-width:2px",
    "fine": "fill:#d1e7dd,stroke:#146c43",
    "cannot_judge": "fill:#e9ecef,stroke:#6c757d,stroke-dasharray:4",
}

Node = tuple[str, str, str]  # (id, label, class: a risk or "")


def _nodes(advice: Advice) -> dict[str, list[Node]]:
    by_stage: dict[str, list[Node]] = {}
    if advice.review is not None:
        for v in sorted(advice.review.verdicts, key=lambda v: _order(advice, v.decision)):
            label = f"{v.label} ({RISK_LABELS[v.risk]})" if v.risk != "fine" else v.label
            node = (mermaid_id(f"{v.decision}__{v.option}"), label, v.risk)
            by_stage.setdefault(v.stage or OTHER, []).append(node)
        return by_stage
    for d in advice.decisions:
        if d.recommended is not None:
            node = (mermaid_id(f"{d.id}__{d.recommended.option}"), d.recommended.label, "")
            by_stage.setdefault(d.stage or OTHER, []).append(node)
    return by_stage


def _order(advice: Advice, decision_id: str) -> int:
    return next((i for i, d in enumerate(advice.decisions) if d.id == decision_id), len(advice.decisions))


def architecture_mermaid(advice: Advice) -> list[str]:
    """The lines of a fenced ```mermaid block; empty when there is nothing to draw."""
    by_stage = _nodes(advice)
    if not by_stage:
        return []
    stages = [s for s in (*STAGES, OTHER) if s in by_stage]
    lines = ["```mermaid", "flowchart LR"]
    for stage in stages:
        lines.append(f'  subgraph stage_{mermaid_id(stage)}["{mermaid_label(stage.capitalize())}"]')
        lines.append("    direction TB")
        for node_id, label, risk in by_stage[stage]:
            lines.append(f'    {node_id}["{mermaid_label(label)}"]' + (f":::{risk}" if risk else ""))
        lines.append("  end")
    flow = [s for s in MAIN_FLOW if s in by_stage]
    lines += [f"  stage_{a} --> stage_{b}" for a, b in itertools.pairwise(flow)]
    used = sorted({risk for nodes in by_stage.values() for _, _, risk in nodes if risk})
    lines += [f"  classDef {risk} {_RISK_STYLE[risk]}" for risk in used]
    return [*lines, "```"]
