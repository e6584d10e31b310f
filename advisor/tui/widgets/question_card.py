"""One question: prompt, help, the widget for its type, 'unknown', and inline validation."""

from __future__ import annotations

import math
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Select, SelectionList, Static

from advisor.answers import UNKNOWN, check_answer
from advisor.models.questionnaire import Question
from advisor.tui.messages import AnswerChanged

RADIO_MAX_CHOICES = 5
"""Single questions with more choices use a drop-down, so long lists do not push the page."""
UNKNOWN_LABEL = "Unknown"


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
    """A question and its answer widget; posts AnswerChanged when the person answers."""

    def __init__(self, question: Question, *, cursor_blink: bool = True) -> None:
        super().__init__(id=f"q-{question.id}", classes="question-card")
        self.question = question
        self.cursor_blink = cursor_blink
        self.value: Any = None
        """The answer as the card last reported or was given it; widget events that repeat it are ignored."""
        self._last_multi: list[str] = []

    # ---- compose ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        q = self.question
        with Horizontal(classes="prompt-row"):
            yield Label(q.prompt, classes="prompt")
            yield Label("", classes="status")
        if q.help:
            yield Static(q.help, classes="help", markup=False)
        yield from self._answer_widgets()
        yield Static("", classes="error")

    def _answer_widgets(self) -> ComposeResult:
        q = self.question
        if q.type == "boolean":
            yield RadioSet(RadioButton("Yes"), RadioButton("No"), RadioButton(UNKNOWN_LABEL),
                           classes="answer boolean")
        elif q.type == "single" and len(q.choices) <= RADIO_MAX_CHOICES:
            yield RadioSet(*[RadioButton(c.label, tooltip=c.help or None) for c in q.choices],
                           RadioButton(UNKNOWN_LABEL), classes="answer")
        elif q.type == "single":
            options = [(c.label, c.id) for c in q.choices] + [(UNKNOWN_LABEL, UNKNOWN)]
            yield Select(options, prompt="Choose…", classes="answer", compact=True)
        elif q.type == "multi":
            items = [(c.label, c.id) for c in q.choices] + [(UNKNOWN_LABEL, UNKNOWN)]
            yield SelectionList[str](*items, classes="answer")
        else:
            span = f"{q.min:g} to {q.max:g}" + (" (whole)" if q.integer else "")
            with Horizontal(classes="number-row"):
                yield Input(placeholder=span, validators=[NumberAnswer(q)], valid_empty=True,
                            classes="answer", compact=True, id=f"input-{q.id}")
                unit = "" if q.unit == "count" else q.unit
                yield Label(unit, classes="unit")
                yield Checkbox(UNKNOWN_LABEL, classes="unknown", compact=True)

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.cursor_blink

    # ---- reading the widgets ---------------------------------------------------------------------
    def _post(self, value: Any) -> None:
        if _same(value, self.value):
            return
        self.value = value
        self._show_status(value)
        self.post_message(AnswerChanged(self.question.id, value))

    @on(RadioSet.Changed)
    def _radio(self, event: RadioSet.Changed) -> None:
        event.stop()
        index = event.radio_set.pressed_index
        if self.question.type == "boolean":
            self._post({0: True, 1: False, 2: UNKNOWN}.get(index))
        else:
            choices = self.question.choices
            self._post(choices[index].id if 0 <= index < len(choices) else UNKNOWN if index >= 0 else None)

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
        if value == UNKNOWN:
            self._set_unknown_box(True)
        self._post(value)

    @on(Checkbox.Changed)
    def _unknown_box(self, event: Checkbox.Changed) -> None:
        event.stop()
        field = self.query_one(Input)
        if event.value:
            with field.prevent(Input.Changed):
                field.value = ""
            self._show_error("")
            self._post(UNKNOWN)
        else:
            value, _ = parse_number(self.question, field.value)
            self._post(None if value == UNKNOWN else value)

    # ---- writing the widgets (loading a scenario); never posts AnswerChanged ------------------
    def set_value(self, value: Any) -> None:
        q = self.question
        self.value = value
        self._show_status(value)
        self._show_error("")
        if q.type in ("boolean", "single") and self.query(RadioSet):
            radio = self.query_one(RadioSet)
            if q.type == "boolean":
                index = {True: 0, False: 1, UNKNOWN: 2}.get(value, -1) if value is not None else -1
            else:
                ids = [c.id for c in q.choices] + [UNKNOWN]
                index = ids.index(value) if value in ids else -1
            buttons = list(radio.query(RadioButton))
            with radio.prevent(RadioSet.Changed, RadioButton.Changed):
                for i, button in enumerate(buttons):
                    button.value = i == index
            radio._pressed_button = buttons[index] if index >= 0 else None  # keeps RadioSet's own bookkeeping
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
    def _show_status(self, value: Any) -> None:
        status = self.query_one(".status", Label)
        status.update("unknown" if value == UNKNOWN else "✓" if value is not None else "")
        self.set_class(value is not None, "-answered")

    def _show_error(self, text: str) -> None:
        error = self.query_one(".error", Static)
        error.update(text)
        error.display = bool(text)
        self.set_class(bool(text), "-invalid")

    def focus_answer(self) -> None:
        widget: Widget = self.query(".answer").first()
        widget.focus()
