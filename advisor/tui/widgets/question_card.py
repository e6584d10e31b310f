"""One question: prompt, help, the widget for its type, 'unknown', and inline validation."""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static

from advisor.models.questionnaire import Question
from advisor.shared import safe_text
from advisor.sources.answers import UNKNOWN, check_answer
from advisor.tui.messages import AnswerChanged
from advisor.tui.widgets.choices import ChoiceChanged, RadioList, Segmented, TickBox, TickList

RADIO_MAX_CHOICES = 6
"""Single questions with more choices use a drop-down, so long lists do not push the page."""
UNKNOWN_LABEL = "Unknown"
UNKNOWN_KEY = "?"
"""Typed in a number field, toggles its Unknown box (the box takes no Tab stop of its own)."""


class NumberInput(Input):
    """A number field where '?' toggles Unknown instead of being typed."""

    class UnknownToggled(Message):
        pass

    async def _on_key(self, event: events.Key) -> None:
        if event.character == UNKNOWN_KEY:
            event.stop()
            event.prevent_default()
            self.post_message(self.UnknownToggled())
            return
        await super()._on_key(event)


def parse_number(question: Question, text: str) -> tuple[Any, str | None]:
    """(value, None), (None, None) for empty, or (None, problem) for what cannot count."""
    text = text.strip().replace("_", "")
    if not text:
        return None, None
    if text.lower() in (UNKNOWN, "?"):
        return UNKNOWN, None
    if "," in text:
        return None, "write digits only, with '.' for decimals (no thousands separators)"
    try:
        value: int | float = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None, f"'{text}' is not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "expected a finite number"
    typed, problem = check_answer(question, value)
    return (None, problem) if problem else (typed, None)


def _bound(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def _number_text(value: float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type (True == 1 in Python, but not as answers)."""
    return type(a) is type(b) and a == b


class NumberAnswer(Validator):
    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question

    def validate(self, value: str) -> ValidationResult:
        _, problem = parse_number(self.question, value)
        return self.failure(problem) if problem else self.success()


class QuestionCard(Vertical):
    """A question and its answer widget; posts AnswerChanged when the person answers.

    Built with as few widgets as possible (a header, one answer widget, an error line): a page
    of cards is mounted each time an area is opened.
    """

    def __init__(self, question: Question, value: Any = None, *, cursor_blink: bool = True) -> None:
        super().__init__(id=f"q-{question.id}", classes="question-card")
        self.question = question
        self.cursor_blink = cursor_blink
        self.value: Any = value
        """The answer as the card last reported or was given it; widget events that repeat it are ignored."""
        self._last_multi: list[str] = []
        self._kept_text = ""
        """The number typed before Unknown was ticked, put back when it is unticked."""

    # ---- compose ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="header")
        yield from self._answer_widgets()
        yield Static("", classes="error", markup=False)

    def _header(self) -> Text:
        q, value = self.question, self.value
        mark = ("? ", "yellow") if value == UNKNOWN else ("✓ ", "green") if value is not None else ("  ", "")
        text = Text.assemble(mark, (safe_text.line(q.prompt), "bold"))
        if q.help:
            text.append("\n" + safe_text.block(q.help), style="dim")
        return text

    def _choice_ids(self) -> list[Any]:
        if self.question.type == "boolean":
            return [True, False, UNKNOWN]
        return [c.id for c in self.question.choices] + [UNKNOWN]

    def _answer_widgets(self) -> ComposeResult:
        q = self.question
        if q.type == "boolean":
            yield Segmented(["Yes", "No", UNKNOWN_LABEL], classes="answer")
        elif q.type == "single" and len(q.choices) <= RADIO_MAX_CHOICES:
            yield RadioList([c.label for c in q.choices] + [UNKNOWN_LABEL], classes="answer")
        elif q.type == "single":
            options = [(safe_text.rich_text(c.label), c.id) for c in q.choices] + [(UNKNOWN_LABEL, UNKNOWN)]
            yield Select(options, prompt="Choose…", classes="answer", compact=True)
        elif q.type == "multi":
            items = [(safe_text.rich_text(c.label), c.id) for c in q.choices] + [(UNKNOWN_LABEL, UNKNOWN)]
            yield TickList(*items, classes="answer")
        else:
            span = f"{_bound(q.min)} to {_bound(q.max)}" + (", whole" if q.integer else "")  # type: ignore[arg-type]
            with Horizontal(classes="number-row"):
                yield NumberInput(placeholder=span, validators=[NumberAnswer(q)], valid_empty=True,
                                  classes="answer", compact=True, id=f"input-{q.id}",
                                  tooltip=f"{UNKNOWN_KEY} toggles Unknown")
                yield Label("" if q.unit == "count" else safe_text.line(q.unit), classes="unit", markup=False)
                box = TickBox(UNKNOWN_LABEL, classes="unknown", compact=True,
                              tooltip=f"{UNKNOWN_KEY} in the field ticks it")
                box.can_focus = False  # no extra Tab stop: '?' in the field, or a click, ticks it
                yield box

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.cursor_blink
        self.set_value(self.value)

    # ---- reading the widgets ---------------------------------------------------------------------
    def _post(self, value: Any) -> None:
        if _same(value, self.value):
            return
        self.value = value
        self._show_status()
        self.post_message(AnswerChanged(self.question.id, value))

    @on(ChoiceChanged)
    def _choice(self, event: ChoiceChanged) -> None:
        event.stop()
        ids = self._choice_ids()
        self._post(ids[event.index] if event.index is not None and 0 <= event.index < len(ids) else None)

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        self._post(None if value is Select.NULL else value)

    @on(SelectionList.SelectedChanged)
    def _multi(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        widget = event.selection_list
        selected = list(widget.selected)
        # 'Unknown' stands alone: picking it clears the choices, picking a choice clears it.
        if UNKNOWN in selected and len(selected) > 1:
            just_picked_unknown = UNKNOWN not in self._last_multi
            keep = [UNKNOWN] if just_picked_unknown else [s for s in selected if s != UNKNOWN]
            with widget.prevent(SelectionList.SelectedChanged):
                widget.deselect_all()
                for item in keep:
                    widget.select(item)
            selected = keep
        self._last_multi = selected
        if not selected:
            self._post(None)
        elif selected == [UNKNOWN]:
            self._post(UNKNOWN)
        else:
            order = [c.id for c in self.question.choices]
            self._post(sorted(selected, key=order.index))

    @on(Input.Changed)
    def _number(self, event: Input.Changed) -> None:
        event.stop()
        value, problem = parse_number(self.question, event.value)
        self._show_error(f"⚠ {problem} (not counted)" if problem else "")
        if event.value.strip():
            self._kept_text = ""  # a new value replaces the one kept
        self._set_unknown_box(value == UNKNOWN)
        self._post(value)

    @on(Checkbox.Changed)
    def _unknown_box(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._unknown(event.value)

    @on(NumberInput.UnknownToggled)
    def _unknown_key(self, event: NumberInput.UnknownToggled) -> None:
        event.stop()
        box = self.query_one(Checkbox)
        self._set_unknown_box(not box.value)
        self._unknown(box.value)

    def _unknown(self, ticked: bool) -> None:
        """Ticking keeps the typed text aside (not counted while Unknown); unticking puts it back."""
        field = self.query_one(Input)
        if ticked:
            text = field.value
            if parse_number(self.question, text)[0] != UNKNOWN:
                self._kept_text = text
            with field.prevent(Input.Changed):
                field.value = ""
            self._show_error("")
            self._post(UNKNOWN)
        else:
            with field.prevent(Input.Changed):
                field.value = self._kept_text
            self._kept_text = ""
            value, problem = parse_number(self.question, field.value)
            self._show_error(f"⚠ {problem} (not counted)" if problem else "")
            self._post(None if value == UNKNOWN else value)

    def pending_value(self) -> tuple[bool, Any]:
        """(True, value) when the number field holds an answer not yet reported (a key typed just before
        quitting); (False, None) otherwise."""
        fields = self.query(Input)
        if not fields or self.query_one(Checkbox).value:
            return False, None
        value, _ = parse_number(self.question, fields.first().value)
        return (not _same(value, self.value)), value

    # ---- writing the widgets (loading answers); never posts AnswerChanged ----------------------
    def set_value(self, value: Any) -> None:
        q = self.question
        self.value = value
        self._show_status()
        self._show_error("")
        if q.type == "boolean" or (q.type == "single" and self.query(RadioList)):
            ids = self._choice_ids()
            index = next((i for i, v in enumerate(ids) if _same(v, value)), None)
            choice: Segmented | RadioList = self.query_one(".answer")  # type: ignore[assignment]
            choice.set_picked(index)
        elif q.type == "single":
            select: Select[str] = self.query_one(Select)
            with select.prevent(Select.Changed):
                if value is None:
                    select.clear()
                else:
                    select.value = value
        elif q.type == "multi":
            multi: SelectionList[str] = self.query_one(SelectionList)
            items = [UNKNOWN] if value == UNKNOWN else list(value or [])
            with multi.prevent(SelectionList.SelectedChanged):
                multi.deselect_all()
                for item in items:
                    multi.select(item)
            self._last_multi = items
        else:
            field = self.query_one(Input)
            with field.prevent(Input.Changed):
                field.value = "" if value in (None, UNKNOWN) else _number_text(value)
            self._set_unknown_box(value == UNKNOWN)
            self._kept_text = ""

    def clear(self) -> None:
        had_value = self.value is not None
        self.set_value(None)
        if had_value:
            self.post_message(AnswerChanged(self.question.id, None))

    def _set_unknown_box(self, on_: bool) -> None:
        box = self.query_one(Checkbox)
        with box.prevent(Checkbox.Changed):
            box.value = on_

    # ---- display -----------------------------------------------------------------------------------
    def _show_status(self) -> None:
        self.query_one(".header", Static).update(self._header())
        self.set_class(self.value is not None, "-answered")

    def _show_error(self, text: str) -> None:
        error = self.query_one(".error", Static)
        error.update(safe_text.line(text))
        error.display = bool(text)
        self.set_class(bool(text), "-invalid")

    def focus_answer(self) -> None:
        widget: Widget = self.query(".answer").first()
        widget.focus()
