"""Located problems in input files, and the exception that carries them.

Every message the user sees about a bad file goes through `Diagnostic`, rendered
as ``file:line:col: kind: message`` (1-based line and column, like compilers do).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    kind: str
    message: str

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.kind}: {self.message}"

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
    p = Path(path)
    try:
        cwd = Path.cwd().resolve()
        # Symlinks are not followed: a message must name the file the person gave, not its target
        # (and resolving a symlink loop raises RuntimeError in Python 3.11).
        return str(Path(os.path.normpath(cwd / p)).relative_to(cwd))
    except (ValueError, OSError):
        return str(p)
