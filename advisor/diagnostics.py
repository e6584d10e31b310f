"""Located problems in input files, and the exception that carries them.

Every message the user sees about a bad file goes through `Diagnostic`, rendered
as ``file:line:col: kind: message`` (1-based line and column, like compilers do).
"""

from __future__ import annotations

import errno
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

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

    @classmethod
    def of_os_error(cls, exc: OSError, path: str | Path | None = None, kind: str | None = None) -> Diagnostic:
        """What the system refused (a name too long, a file used as a folder, no permission, a full disk),
        located at the path it refused: `path`, else the one the error names."""
        where = path if path is not None else exc.filename if exc.filename is not None else "-"
        if isinstance(where, bytes):
            where = os.fsdecode(where)
        reason = exc.strerror or str(exc)
        return cls.at_file(display_path(where), kind or _OS_ERROR_KINDS.get(exc.errno or 0, "os_error"), reason)


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
