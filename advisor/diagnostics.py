"""Located problems in input files, and the exception that carries them.

Every message the user sees about a bad file goes through `Diagnostic`, rendered
as ``file:line:col: kind: message`` (1-based line and column, like compilers do). The path and the
message can hold text from the file (keys, values, its name): `render` shows it through
`advisor.safe_text.line`, so an escape sequence in a key or a file name is shown, never acted on.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from advisor import safe_text


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    kind: str
    message: str

    def render(self) -> str:
        return (f"{safe_text.line(self.path)}:{self.line}:{self.column}: {safe_text.line(self.kind)}: "
                f"{safe_text.line(self.message)}")

    @classmethod
    def at_file(cls, path: str | Path, kind: str, message: str) -> Diagnostic:
        return cls(str(path), 1, 1, kind, message)


@dataclass
class InvalidInput(Exception):
    """One or more input files are invalid; nothing was evaluated from them."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(d.render() for d in sorted(self.diagnostics))


def display_path(path: str | Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    shown = str(Path(path))
    try:
        cwd = _resolved(os.getcwd())
    except OSError:
        return shown
    # Symlinks in the path are not followed: a message must name the file the person gave, not its
    # target (and resolving a symlink loop raises RuntimeError in Python 3.11).
    full = os.path.normpath(os.path.join(cwd, shown))
    if full == cwd:
        return "."
    inside = cwd.rstrip(os.sep) + os.sep
    return full[len(inside):] if full.startswith(inside) else shown


@functools.lru_cache(maxsize=8)
def _resolved(cwd: str) -> str:
    """The working directory with its symlinks resolved (once per directory: it runs for every file)."""
    return str(Path(cwd).resolve())
