"""Light choice widgets: one widget per question, so a page of questions mounts fast.

RadioList is a radio set drawn on an OptionList (one widget instead of a RadioSet's one
per button); Segmented is a one-line radio set for yes / no / unknown; TickBox and TickList are
Textual's checkbox and selection list with an empty box when not ticked.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from advisor.shared import safe_text

ON, OFF = "◉", "○"


class ChoiceChanged(Message):
    """A choice widget's picked index changed (None: nothing picked)."""

    def __init__(self, widget: Widget, index: int | None) -> None:
        super().__init__()
        self.widget = widget
        self.index = index


class RadioList(OptionList):
    """One pick among labels; Enter, Space or a click picks the highlighted line."""

    BINDINGS = [Binding("space", "select", "Pick", show=False)]

    def __init__(self, labels: list[str], *, classes: str | None = None) -> None:
        self.labels = [safe_text.line(label) for label in labels]
        self.picked: int | None = None
        super().__init__(*[self._prompt(i) for i in range(len(labels))], classes=classes)

    def _prompt(self, index: int) -> Text:
        on = index == self.picked
        return Text.assemble((ON if on else OFF, "bold" if on else "dim"), " ", self.labels[index])

    def set_picked(self, index: int | None) -> None:
        """Show a pick without posting ChoiceChanged (used when loading answers)."""
        old, self.picked = self.picked, index
        for i in {old, index} - {None}:
            self.replace_option_prompt_at_index(i, self._prompt(i))  # type: ignore[arg-type]
        if index is not None:
            self.highlighted = index

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.set_picked(event.option_index)
        self.post_message(ChoiceChanged(self, event.option_index))


class Segmented(Widget, can_focus=True):
    """A one-line radio set: ← → move, Space/Enter picks, or click a segment."""

    BINDINGS = [
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("space,enter", "pick", "Pick", show=False),
    ]
    DEFAULT_CSS = """
    Segmented { height: 1; width: auto; }
    """
    cursor = reactive(0)

    def __init__(self, labels: list[str], *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.labels = labels
        self.picked: int | None = None

    def _segments(self) -> list[tuple[int, int]]:
        spans, x = [], 0
        for label in self.labels:
            width = len(label) + 4
            spans.append((x, x + width))
            x += width + 2
        return spans

    def render(self) -> Text:
        text = Text()
        for i, label in enumerate(self.labels):
            on = i == self.picked
            style = "reverse" if self.has_focus and i == self.cursor else ""
            text.append(f" {ON if on else OFF} {label} ", style=style + (" bold" if on else ""))
            if i < len(self.labels) - 1:
                text.append("  ")
        return text

    def get_content_width(self, container, viewport) -> int:  # type: ignore[no-untyped-def]
        return self._segments()[-1][1] if self.labels else 0

    def set_picked(self, index: int | None) -> None:
        self.picked = index
        if index is not None:
            self.cursor = index
        self.refresh()

    def action_move(self, delta: int) -> None:
        self.cursor = (self.cursor + delta) % len(self.labels)
        self.refresh()

    def action_pick(self) -> None:
        self._pick(self.cursor)

    def _pick(self, index: int) -> None:
        self.set_picked(index)
        self.post_message(ChoiceChanged(self, index))

    def on_click(self, event: events.Click) -> None:
        for i, (start, end) in enumerate(self._segments()):
            if start <= event.x < end:
                self.cursor = i
                self._pick(i)
                return

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


TICKED, UNTICKED = "X", " "
"""What a tick box shows inside its brackets: the state reads without colour (Textual draws an X either way)."""


class TickBox(Checkbox):
    """A checkbox whose box is empty when not ticked."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # Textual reads this name
        return TICKED if self.value else UNTICKED


class TickList(SelectionList[str]):
    """A selection list whose boxes are empty when not ticked."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        inner = segments[1]
        segments[1] = Segment(TICKED if selection.value in self._selected else UNTICKED, inner.style,
                              inner.control)
        return Strip(segments, strip.cell_length)
