"""The advice pane: one line per decision, and the highlighted decision in detail."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from advisor.models.advice import Advice, DecisionAdvice
from advisor.models.review import RISK_LABELS, ChoiceVerdict, Review
from advisor.shared import safe_text
from advisor.tui.bindings import ADVICE_BINDINGS
from advisor.tui.messages import CycleCurrent, JumpToQuestion, ShowReasoning

_ICON = {"recommended": "●", "undecided": "?", "not_applicable": "·", "out_of_scope": "✗"}
_STATUS_STYLE = {"recommended": "bold green", "undecided": "bold yellow", "not_applicable": "dim",
                 "out_of_scope": "bold magenta"}
_RISK_STYLE = {"high": "bold white on red", "medium": "bold black on yellow", "fine": "green",
               "cannot_judge": "dim"}
line, block = safe_text.line, safe_text.block


def _badge(v: ChoiceVerdict) -> Text:
    label = RISK_LABELS[v.risk]
    return Text(f" {label.upper() if v.risk in ('high', 'medium') else label} ", style=_RISK_STYLE[v.risk])


def verdicts_for(review: Review | None, decision_id: str) -> list[ChoiceVerdict]:
    return [v for v in review.verdicts if v.decision == decision_id] if review is not None else []


def current_lines(verdicts: list[ChoiceVerdict]) -> Text:
    """The current choices of one decision with their risk badges (for the decision's line)."""
    text = Text()
    for v in verdicts:
        text.append("\n  current: ")
        text.append(line(v.label))
        text.append(" ")
        text.append_text(_badge(v))
    return text


def review_detail(verdicts: list[ChoiceVerdict]) -> Text:
    text = Text()
    for v in verdicts:
        text.append("\nYour current choice: ", style="bold")
        text.append(line(v.label) + " ")
        text.append_text(_badge(v))
        text.append("\n  " + block(v.reason) + "\n")
        if v.rules:
            text.append("  rules: " + line(", ".join(v.rules)) + "\n", style="dim")
        if v.what_if is not None:
            text.append("  right " + line(v.what_if.summary) + "\n", style="italic")
    return text


def plan_text(review: Review) -> Text:
    text = Text("Improvement plan\n", style="bold")
    if not review.plan:
        text.append("Every current choice is fine.\n", style="green")
    for number, step in enumerate(review.plan, 1):
        text.append(f"{number}. ")
        text.append(f"{RISK_LABELS[step.risk]}", style=_RISK_STYLE[step.risk])
        text.append(f" {line(step.decision_title)}: {line(step.change)}\n")
    text.append("c on a decision: mark the next option as current", style="dim")
    return text


def decision_line(d: DecisionAdvice, verdicts: list[ChoiceVerdict] | None = None) -> Text:
    text = Text()
    text.append(f"{_ICON[d.status]} ", style=_STATUS_STYLE[d.status])
    text.append(line(d.title), style="bold" if d.status != "not_applicable" else "dim")
    if d.status == "recommended" and d.recommended is not None:
        text.append("\n  → ")
        text.append(line(d.recommended.label), style="bold")
        text.append(f"  {d.strength}", style="italic dim")
    elif d.status == "undecided":
        count = len(d.ask)
        text.append(f"\n  undecided · {count} question{'s' * (count != 1)} would decide it", style="yellow")
    if verdicts:
        text.append_text(current_lines(verdicts))
    return text


def decision_prompt(d: DecisionAdvice, verdicts: list[ChoiceVerdict] | None = None) -> Table:
    """The decision's line for the list, with long titles and recommendations wrapped under the title (a
    hanging indent) instead of cut off or run back under the icon at narrow widths."""
    text = decision_line(d, verdicts)
    icon, body = text[:2], text[2:]
    lines = body.split("\n")
    for i in range(1, len(lines)):
        lines[i] = lines[i][2:] if lines[i].plain.startswith("  ") else lines[i]
    grid = Table.grid()
    grid.add_column(width=2, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(icon, Text("\n").join(lines))
    return grid


def decision_detail(d: DecisionAdvice) -> Text:
    text = Text()
    text.append(line(d.title) + "\n", style="bold")
    text.append(block(d.question) + "\n\n", style="italic")
    text.append(block(d.summary) + "\n")
    if d.status == "not_applicable":
        return text
    if d.recommended is not None:
        text.append("\nRecommended: ", style="bold")
        text.append(line(d.recommended.label), style="bold green")
        text.append(f" ({d.strength}, score {d.recommended.score:g})\n")
        rules = ", ".join(line(v.rule_id) for v in d.recommended.support())
        if rules:
            text.append(f"  by {rules}\n", style="dim")
    if d.assumption:
        text.append(f"Assumes: {block(d.assumption)}\n", style="italic")
    for conflict in d.conflicts:
        text.append(f"Conflict: {block(conflict)}\n", style="red")
    if d.alternatives:
        text.append("\nRunners-up\n", style="bold")
        for alt in d.alternatives:
            text.append(f"  {line(alt.label)} (score {alt.score:g})\n")
    if d.excluded:
        text.append("\nExcluded\n", style="bold")
        for ex in d.excluded:
            by = ", ".join(line(v.rule_id) for v in ex.verdicts if v.kind == "exclude")
            text.append(f"  {line(ex.label)}", style="strike dim")
            text.append(f"  by {by}\n" if by else "\n", style="dim")
    if d.ask:
        text.append("\nWould decide it\n" if d.status == "undecided" else "\nWould firm it up\n", style="bold")
        for q in d.ask:
            text.append(f"  • {line(q.prompt)}\n")
        text.append("Enter or j: jump to the first one · r: why?\n", style="dim")
    else:
        text.append("\nEnter or r: why? (reasoning with citations)\n", style="dim")
    return text


class DecisionList(OptionList):
    BINDINGS = ADVICE_BINDINGS  # type: ignore[assignment]

    def action_toggle_all(self) -> None:
        pane = self.parent
        while pane is not None and not isinstance(pane, AdvicePane):
            pane = pane.parent
        if isinstance(pane, AdvicePane):
            pane.show_all = not pane.show_all
            if pane.advice is not None:
                pane.show(pane.advice, pane.relevant)

    def action_reasoning(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id:
            self.post_message(ShowReasoning(option.id))

    def action_cycle_current(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id:
            self.post_message(CycleCurrent(option.id))

    def action_jump(self) -> None:
        pane = self.parent
        while pane is not None and not isinstance(pane, AdvicePane):
            pane = pane.parent
        if isinstance(pane, AdvicePane) and self.highlighted_option is not None:
            pane.jump_or_explain(self.highlighted_option.id or "", explain=False)


class AdvicePane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.advice: Advice | None = None
        self.relevant: set[str] = set()
        self.show_all = False
        """Also list the decisions not in play (hidden by default: most are, early on)."""
        self.border_title = "Advice"

    def compose(self) -> ComposeResult:
        yield DecisionList(id="decisions")
        with VerticalScroll(id="decision-detail-scroll", can_focus=False):
            yield Static("", id="decision-detail")
        plan = Static("", id="review-plan")
        plan.display = False  # shown only when the scenario states current choices
        yield plan

    @property
    def decisions(self) -> DecisionList:
        return self.query_one(DecisionList)

    def show(self, advice: Advice, relevant: set[str]) -> None:
        self.advice, self.relevant = advice, relevant
        listing = self.decisions
        # In play first, so what matters is at the top; "not in play" ones only on request (a).
        reviewed = set(advice.review.current) if advice.review is not None else set()
        ordered = [d for d in advice.decisions if d.status != "not_applicable" or d.id in reviewed]
        if self.show_all:
            ordered += [d for d in advice.decisions if d.status == "not_applicable" and d.id not in reviewed]
        ids = [d.id for d in ordered]
        current = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        if ids == current:
            for i, d in enumerate(ordered):
                listing.replace_option_prompt_at_index(i, decision_prompt(d, verdicts_for(advice.review, d.id)))
        else:
            keep = listing.highlighted_option.id if listing.highlighted_option else None
            listing.clear_options()
            listing.add_options([Option(decision_prompt(d, verdicts_for(advice.review, d.id)), id=d.id)
                                 for d in ordered])
            if ids:
                listing.highlighted = ids.index(keep) if keep in ids else 0
        in_play = sum(1 for d in advice.decisions if d.status != "not_applicable")
        decided = sum(1 for d in advice.decisions if d.status == "recommended")
        hidden = len(advice.decisions) - in_play
        more = f" · +{hidden} (a)" if hidden and not self.show_all else ""
        uncounted = f" · {len(advice.ignored)} not counted" if advice.ignored else ""
        self.border_subtitle = f"{decided} decided · {in_play - decided} open{more}{uncounted}"
        plan = self.query_one("#review-plan", Static)
        plan.display = advice.review is not None
        if advice.review is not None:
            plan.update(plan_text(advice.review))
            plan.border_title = f"Review · worst: {RISK_LABELS[advice.review.highest]}"
        self._show_detail()

    def decision(self, decision_id: str | None) -> DecisionAdvice | None:
        if self.advice is None or decision_id is None:
            return None
        return next((d for d in self.advice.decisions if d.id == decision_id), None)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        option = self.decisions.highlighted_option
        d = self.decision(option.id if option else None)
        detail = self.query_one("#decision-detail", Static)
        if d is not None:
            text = decision_detail(d)
            verdicts = verdicts_for(self.advice.review if self.advice else None, d.id)
            if verdicts:
                text = text.copy()
                text.append_text(review_detail(verdicts))
        elif self.advice is not None and not self.advice.decisions:
            text = Text("No decisions in this rule base yet.")
        else:
            text = Text.assemble(
                ("No decision is in play yet.\n\n", "bold"),
                "Answer the questions on the left (start with which decisions you want advice on); "
                "decisions appear here as your answers bring them into play.\n\n",
                ("a: list every decision, with what brings it into play", "dim"))
        detail.update(self._with_uncounted(text))

    def _with_uncounted(self, text: Text) -> Text:
        """Answers kept in the session whose questions the other answers hide: they do not count, and the
        person must see that rather than wonder why an answer changes nothing."""
        if self.advice is None or not self.advice.ignored:
            return text
        out = text.copy()
        out.append("\n\nNot counted (the question is not asked with your other answers):\n", style="bold yellow")
        for a in self.advice.ignored:
            out.append(f"  {line(a.prompt)} = {line(a.display)}\n", style="yellow")
            out.append(f"    asked only when {line(a.asked_when)}\n", style="dim")
        return out

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.jump_or_explain(event.option.id or "", explain=True)

    def jump_or_explain(self, decision_id: str, *, explain: bool) -> None:
        """Undecided: jump to the first question that would decide it; otherwise explain."""
        d = self.decision(decision_id)
        if d is None:
            return
        target = next((q.id for q in d.ask if q.id in self.relevant), None)
        if target and (d.status == "undecided" or not explain):
            self.post_message(JumpToQuestion(target))
        elif explain:
            self.post_message(ShowReasoning(decision_id))
        elif d.ask:
            self.notify("The questions that would decide it are not shown yet; answer the ones above first.")
        else:
            self.notify("Nothing left to answer for this decision.")
