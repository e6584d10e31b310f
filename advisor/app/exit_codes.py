"""Process exit codes: one source for the CLI, the README table and the tests."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Success; also a stdout whose reader stopped reading early (`| head -1`), which ends quietly."""
    FINDINGS = 1
    """Lint found problems, advice differs from the baseline, or `review` found a risk at or above --fail-on."""
    INVALID_INPUT = 2
    """Invalid command line, YAML, rule or scenario file; every problem is printed as file:line:col.
    Also a path the system refuses (located the same way) and a stdout that cannot be written (a full disk)."""
    INTERNAL_ERROR = 3
    """A bug in the advisor; please report it with the message."""
    INTERRUPTED = 130
    """Stopped with Ctrl-C."""
    TERMINATED = 143
    """Stopped by SIGTERM (SIGHUP gives 129: the exit code is 128 + the signal number)."""
