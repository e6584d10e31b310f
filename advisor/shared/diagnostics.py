"""Located problems in input files, and the exception that carries them.

Every message the user sees about a bad file goes through `Diagnostic`, rendered
as ``file:line:col: kind: message`` (1-based line and column, like compilers do). The path and the
message can hold text from the file (keys, values, its name): `render` shows it through
`advisor.shared.safe_text.line`, so an escape sequence in a key or a file name is shown, never acted on.
"""

from __future__ import annotations

import errno
import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from advisor.shared import safe_text

_OS_ERROR_KINDS = {
    errno.ENAMETOOLONG: "name_too_long",
    errno.ENOTDIR: "not_a_folder",
    errno.EISDIR: "is_a_folder",
    errno.ENOENT: "not_found",
    errno.EACCES: "permission_denied",
    errno.EPERM: "permission_denied",
    errno.EROFS: "read_only",
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.ELOOP: "symlink_loop",
}
"""Diagnostic kinds for the file-system errors people meet; any other is an `os_error`."""

MAX_MESSAGE_CHARS = 1000
"""Characters of a message printed; the rest is cut (messages quote the offending value)."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    kind: str
    message: str

    def render(self) -> str:
        message = self.message
        if len(message) > MAX_MESSAGE_CHARS:  # a message may quote a 2 MB value
            message = f"{message[:MAX_MESSAGE_CHARS]}... ({len(message):,} characters in all)"
        return (f"{safe_text.line(self.path)}:{self.line}:{self.column}: {safe_text.line(self.kind)}: "
                f"{safe_text.line(message)}")

    @classmethod
    def at_file(cls, path: str | Path, kind: str, message: str) -> Diagnostic:
        return cls(str(path), 1, 1, kind, message)

    @classmethod
    def of_os_error(cls, exc: OSError, path: str | Path | None = None, kind: str | None = None) -> Diagnostic:
        """What the system refused (a name too long, a file used as a folder, no permission, a full disk),
        located at the path it refused: `path`, else the one the error names."""
        where = path if path is not None else exc.filename if exc.filename is not None else "-"
        if isinstance(where, bytes):
            where = os.fsdecode(where)
        reason = exc.strerror or str(exc)
        return cls.at_file(display_path(where), kind or _OS_ERROR_KINDS.get(exc.errno or 0, "os_error"), reason)


MAX_PROBLEMS_PER_FILE = 50
"""Problems reported per file; past that a person fixes the first ones and runs again (and 75,000
misspelt keys would otherwise take minutes to describe and scroll past)."""
MORE_PROBLEMS = "more_problems"
"""The kind of the one line that counts the problems of a file left out."""
_MORE_COUNT = re.compile(r"and ([0-9,]+) more problem")


def more_problems(path: str, line: int, column: int, count: int) -> Diagnostic:
    """The line standing for `count` problems left out, placed at the first of them."""
    noun = "problem" if count == 1 else "problems"
    return Diagnostic(path, line, column, MORE_PROBLEMS,
                      f"... and {count:,} more {noun} in this file (only the first {MAX_PROBLEMS_PER_FILE} "
                      "are listed)")


def capped(diagnostics: Iterable[Diagnostic], limit: int = MAX_PROBLEMS_PER_FILE) -> list[Diagnostic]:
    """The diagnostics in order, at most `limit` per file, then one MORE_PROBLEMS line counting the rest.

    Lines already counting left-out problems are added into the count, so capping twice is harmless."""
    by_file: dict[str, list[Diagnostic]] = {}
    for d in sorted(set(diagnostics), key=_order):  # a key tuple: the dataclass's own __lt__ is slow
        by_file.setdefault(d.path, []).append(d)
    out: list[Diagnostic] = []
    for path, found in by_file.items():
        problems = [d for d in found if d.kind != MORE_PROBLEMS]
        left_out = sum(problems_in(d) for d in found if d.kind == MORE_PROBLEMS)
        hidden = problems[limit:]
        out += problems[:limit]
        if hidden or left_out:
            first = hidden[0] if hidden else next(d for d in found if d.kind == MORE_PROBLEMS)
            out.append(more_problems(path, first.line, first.column, len(hidden) + left_out))
    return out


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.column, d.kind, d.message)


def problems_in(d: Diagnostic) -> int:
    """How many problems the diagnostic stands for: 1, or the count of a MORE_PROBLEMS line."""
    if d.kind != MORE_PROBLEMS:
        return 1
    match = _MORE_COUNT.search(d.message)
    return int(match.group(1).replace(",", "")) if match else 1


@dataclass
class InvalidInput(Exception):
    """One or more input files are invalid; nothing was evaluated from them.

    At most MAX_PROBLEMS_PER_FILE diagnostics are kept per file (see `capped`)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.diagnostics) > MAX_PROBLEMS_PER_FILE:
            self.diagnostics = capped(self.diagnostics)

    def __str__(self) -> str:
        return "\n".join(d.render() for d in sorted(self.diagnostics))


def display_path(path: str | Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    shown = str(path) if isinstance(path, Path) else str(Path(path))  # a Path's text is already its normal form
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
