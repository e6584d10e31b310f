"""Modal dialogs: confirm, open, save, export. Every dialog keeps what was typed when something fails.

Titles, messages and errors name files and quote their contents: they are shown as plain text (markup off)
through `advisor.shared.safe_text`, and so are the values a dialog starts with and the folder tree's names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from advisor.shared import safe_text
from advisor.shared.diagnostics import InvalidInput, display_path
from advisor.tui.bindings import DIALOG_BINDINGS

Writer = Callable[[Path], None]
"""Writes or reads the file; raises OSError or InvalidInput, which the dialog shows inline."""


def problem_text(exc: BaseException) -> str:
    if isinstance(exc, InvalidInput):
        return "\n".join(d.render() for d in sorted(exc.diagnostics))
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return f"{type(exc).__name__}: {exc}"


def _resolved(path: Path) -> Path:
    """The path with symlinks resolved, or as given when they loop (Python 3.11 raises RuntimeError)."""
    try:
        return path.resolve()
    except RuntimeError:
        return path.absolute()


class ConfirmDialog(ModalScreen[str]):
    """A question with a row of buttons; dismisses with the id of the button pressed ('cancel' on Esc)."""

    BINDINGS = DIALOG_BINDINGS  # type: ignore[assignment]
    AUTO_FOCUS = "Button"
    """The first button has focus. Textual gives it once the buttons are composed; a query in on_mount once found
    none on a busy CI run (NoMatches) and took the whole app down."""

    def __init__(self, title: str, message: str, buttons: Iterable[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.message = safe_text.line(title), safe_text.block(message)
        self.buttons = list(buttons)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.message, classes="dialog-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                for label, result, variant in self.buttons:
                    yield Button(label, id=f"btn-{result}", variant=variant, compact=True)  # type: ignore[arg-type]

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "btn-cancel").removeprefix("btn-"))

    def action_cancel(self) -> None:
        self.dismiss("cancel")


class PathDialog(ModalScreen[Path | None]):
    """A path to act on, with inline errors; subclasses add fields and decide what 'go' does."""

    BINDINGS = DIALOG_BINDINGS  # type: ignore[assignment]
    TITLE_TEXT = ""
    ACTION_LABEL = "OK"

    def __init__(self, initial: str, writer: Writer, *, blink: bool = True) -> None:
        super().__init__(classes="dialog-screen")
        self.writer, self.blink = writer, blink
        self.shown: dict[str, tuple[str, str]] = {}
        """Input id -> (the value it was given, in visible form; the value that stands for)."""
        self.initial = self.show_value("path", initial)

    def show_value(self, field_id: str, value: str) -> str:
        """The visible form of a value an input starts with (an input shows its value as is, control
        characters and newlines included); `field_value` gives the real value back while the input shows it."""
        shown = safe_text.line(value)
        self.shown[field_id] = (shown, value)
        return shown

    def field_value(self, field_id: str) -> str:
        """What the input holds: the value it was given as long as it shows that value's visible form
        (so an untouched file name or title is kept exactly), else what was typed."""
        value = self.query_one(f"#{field_id}", Input).value
        if field_id in self.shown and value == self.shown[field_id][0]:
            return self.shown[field_id][1]
        return value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.TITLE_TEXT, classes="dialog-title")
            yield from self.extra_fields()
            yield Label("File", classes="field-label")
            yield Input(self.initial, id="path", classes="dialog-input", compact=True)
            yield Static("", id="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.ACTION_LABEL, id="btn-go", variant="primary", compact=True)
                yield Button("Cancel", id="btn-cancel", compact=True)

    def extra_fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.blink
        self.first_field().focus()

    def first_field(self) -> Input:
        return self.query_one("#path", Input)

    def show_error(self, text: str) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(safe_text.block(text))
        error.display = bool(text)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.go()

    @on(Button.Pressed, "#btn-go")
    def _go(self) -> None:
        self.go()

    @on(Button.Pressed, "#btn-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def target(self) -> Path | None:
        text = self.field_value("path").strip()
        if not text:
            self.show_error("Type a file name.")
            return None
        try:
            path = Path(text).expanduser()
        except RuntimeError:  # ~name of a user this system does not know
            self.show_error(f"{text.split('/')[0]}: no such user's home folder; type the folder in full.")
            return None
        try:
            folder = path.is_dir()
        except OSError as exc:  # a name too long for the file system, a folder that cannot be looked into
            self.show_error(problem_text(exc))
            return None
        if folder:
            self.show_error(f"{display_path(path)} is a folder; type a file name.")
            return None
        return path

    def go(self) -> None:
        path = self.target()
        if path is not None:
            self.run(path)

    def run(self, path: Path) -> None:
        try:
            self.writer(path)
        except (OSError, InvalidInput, ValueError) as exc:
            self.show_error(problem_text(exc))
            return
        self.dismiss(path)


class WriteDialog(PathDialog):
    """Writes a file; an existing file other than `own` needs a confirmation first."""

    SUFFIX = ".yaml"

    def __init__(self, initial: str, writer: Writer, *, own: Path | None = None,
                 own_changed: Callable[[], bool] | None = None, blink: bool = True) -> None:
        super().__init__(initial, writer, blink=blink)
        self.own = _resolved(own) if own else None
        self.own_changed = own_changed
        """Whether `own` changed on disk since it was opened or saved here: replacing it then asks too."""

    def target(self) -> Path | None:
        path = super().target()
        if path is not None and not path.name.endswith(self.accepted_suffixes()):
            path = path.with_name(path.name + self.SUFFIX)
        return path

    def accepted_suffixes(self) -> tuple[str, ...]:
        return (self.SUFFIX,)

    def go(self) -> None:
        path = self.target()
        if path is None:
            return
        try:
            exists = path.exists()
            own = exists and _resolved(path) == self.own
        except OSError as exc:  # a name too long for the file system
            self.show_error(problem_text(exc))
            return
        changed = own and self.own_changed is not None and self.own_changed()
        if (exists and not own) or changed:
            def decided(answer: str | None) -> None:
                if answer == "overwrite":
                    self.run(path)

            why = (f"{display_path(path)} changed on disk since it was opened or last saved here; replacing it "
                   "loses that change." if changed else f"{display_path(path)} already exists.")
            self.app.push_screen(ConfirmDialog("Replace file?", why,
                                               [("Replace", "overwrite", "warning"), ("Cancel", "cancel", "default")]),
                                 decided)
            return
        self.run(path)


class SaveDialog(WriteDialog):
    TITLE_TEXT = "Save answers as a scenario file"
    ACTION_LABEL = "Save"
    SUFFIX = ".scenario.yaml"

    def __init__(self, initial: str, title: str, description: str,
                 writer: Callable[[Path, str, str], None], *, own: Path | None = None,
                 own_changed: Callable[[], bool] | None = None, named: bool = False, blink: bool = True) -> None:
        """`named`: `initial` is a name the person gave (on the command line), so the title does not rename it."""
        super().__init__(initial, lambda path: writer(path, self.scenario_title(), self.description()),
                         own=own, own_changed=own_changed, blink=blink)
        self.named = named
        self.initial_title = self.show_value("scenario-title", title)
        self.initial_description = self.show_value("scenario-description", description)
        self._auto_path: str | None = None

    def accepted_suffixes(self) -> tuple[str, ...]:
        return (".yaml", ".yml")

    def extra_fields(self) -> ComposeResult:
        yield Label("Title", classes="field-label")
        yield Input(self.initial_title, id="scenario-title", classes="dialog-input", compact=True)
        yield Label("Description", classes="field-label")
        yield Input(self.initial_description, id="scenario-description", classes="dialog-input", compact=True,
                    placeholder="The workload in a sentence or two (optional)")

    def first_field(self) -> Input:
        self._auto_path = self.initial if self.own is None and not self.named else None
        return self.query_one("#scenario-title" if not self.initial_title else "#path", Input)

    @on(Input.Changed, "#scenario-title")
    def _title_changed(self, event: Input.Changed) -> None:
        # While the file name is still the suggested one, follow the title.
        path_input = self.query_one("#path", Input)
        if self._auto_path is not None and path_input.value == self._auto_path:
            from advisor.tui.app import slug

            suggested = Path(self._auto_path).with_name(f"{slug(event.value)}.scenario.yaml")
            self._auto_path = str(suggested)
            path_input.value = self._auto_path

    def scenario_title(self) -> str:
        return self.field_value("scenario-title").strip()

    def description(self) -> str:
        return self.field_value("scenario-description").strip()

    def go(self) -> None:
        if not self.scenario_title():
            self.show_error("Give the scenario a title.")
            self.query_one("#scenario-title", Input).focus()
            return
        super().go()


class ExportDialog(WriteDialog):
    TITLE_TEXT = "Export the advice as a Markdown report"
    ACTION_LABEL = "Export"
    SUFFIX = ".md"


class OpenDialog(PathDialog):
    TITLE_TEXT = "Open a scenario file"
    ACTION_LABEL = "Open"

    def __init__(self, initial: str, reader: Writer, root: Path, *, blink: bool = True) -> None:
        super().__init__(initial, reader, blink=blink)
        self.root = root

    def extra_fields(self) -> ComposeResult:
        yield ScenarioTree(self.root, id="scenario-tree")

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = self.show_value("path", display_path(event.path))
        self.go()


class ScenarioTree(DirectoryTree):
    """Folders and YAML files only; hidden folders and caches left out. Names are plain text (a str label
    would be read as markup), control characters shown."""

    def process_label(self, label: str | Text) -> Text:  # type: ignore[override]
        if isinstance(label, str):
            label = safe_text.rich_text(label)
        return super().process_label(label)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith((".", "__"))
                and (p.is_dir() or p.suffix in (".yaml", ".yml"))]
