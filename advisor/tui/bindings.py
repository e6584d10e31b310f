"""Key bindings, each with a stable id so people can remap them (App.set_keymap / keymap files)."""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS = [
    Binding("ctrl+q", "quit", "Quit", id="advisor.quit", priority=True),
    Binding("f1", "help", "Help", id="advisor.help"),
    Binding("ctrl+t", "toggle_theme", "Theme", id="advisor.toggle_theme", show=False),
]

MAIN_BINDINGS = [
    Binding("ctrl+s", "save", "Save", id="advisor.save"),
    Binding("ctrl+o", "open", "Open", id="advisor.open"),
    Binding("ctrl+r", "export", "Report", id="advisor.export"),
    Binding("ctrl+n", "next_unanswered", "Next", id="advisor.next_unanswered",
            tooltip="Focus the next relevant question without an answer"),
    Binding("ctrl+l", "clear_answer", "Clear", id="advisor.clear_answer", show=False,
            tooltip="Clear the answer of the focused question"),
    Binding("f2", "focus_questions", "Questions", id="advisor.focus_questions", show=False),
    Binding("f3", "focus_advice", "Advice", id="advisor.focus_advice", show=False),
]

ADVICE_BINDINGS = [
    Binding("r", "reasoning", "Why?", id="advisor.reasoning"),
    Binding("j", "jump", "Ask", id="advisor.jump", show=False),
    Binding("a", "toggle_all", "All", id="advisor.toggle_all_decisions",
            tooltip="Also list the decisions not in play"),
    Binding("c", "cycle_current", "Current", id="advisor.cycle_current", show=False,
            tooltip="Mark the next option as the choice you run or plan today (review mode)"),
]

REASONING_BINDINGS = [
    Binding("escape", "back", "Back", id="advisor.back"),
    Binding("left_square_bracket", "previous_decision", "Prev decision", id="advisor.previous_decision"),
    Binding("right_square_bracket", "next_decision", "Next decision", id="advisor.next_decision"),
]

DIALOG_BINDINGS = [
    Binding("escape", "cancel", "Cancel", id="advisor.cancel"),
]
