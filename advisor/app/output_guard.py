"""What the CLI does when its standard output fails: a reader that stopped reading, a full disk.

`advisor evaluate scenarios/ | head -1` closes the pipe after one line: the person chose to stop
reading, so the command ends quietly with exit 0 (not 141 or a traceback). `> /dev/full` fails on
the first flush: the output is lost, so that is one line on stderr and exit 2. In both cases stdout
is pointed at the null device, as the Python documentation on SIGPIPE recommends, so the interpreter's
last flush at shutdown cannot print "Exception ignored" after us.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from advisor.app.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

_OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})
"""Errors a write to stdout raises when the reader or the device gives up, not when a file is wrong."""


def is_output_error(exc: BaseException) -> bool:
    """An error writing to stdout (such errors name no file; an error reading or writing a file does)."""
    return isinstance(exc, OSError) and exc.filename is None and exc.errno in _OUTPUT_ERRNOS


class _ClosedStdout(io.TextIOBase):
    """Stands for a stdout the process was started without (`advisor ... >&-`): Python sets sys.stdout to
    None, and click would drop the output silently while other writers crash; every write fails instead."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def ensure_stdout() -> None:
    """Give a process started with stdout closed a stdout whose writes fail like any other broken one."""
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()


def flush_stdout() -> None:
    """Flush now, while a failure can still become a clear message and an exit code."""
    if sys.stdout is not None:  # None when the process was started with stdout closed
        sys.stdout.flush()


def output_failed(exc: OSError) -> NoReturn:
    """End the process after stdout failed: quietly (0) for a closed pipe, else a message and 2."""
    _discard_stdout()
    if exc.errno == errno.EPIPE:
        sys.exit(ExitCode.OK)
    write_stderr(f"advisor: cannot write the output: {exc.strerror or exc}")
    sys.exit(ExitCode.INVALID_INPUT)


def write_stderr(message: str) -> None:
    """A line on stderr; if stderr itself is closed or full there is nowhere left to say it."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass


def stdout_console(**settings: Any) -> Console:
    """A rich Console on stdout that ends a closed pipe as every other command does (rich's own
    handler exits 1)."""
    from rich.console import Console

    class _StdoutConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            output_failed(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)))

    return _StdoutConsole(**settings)
