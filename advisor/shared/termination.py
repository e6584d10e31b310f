"""SIGTERM and SIGHUP end a command the way Ctrl-C does: cleanup runs, then a one-line message.

Python's default for these signals kills the process on the spot, so `finally` blocks never run:
batch workers would keep running and a half-built report folder would stay behind. Inside
`ending_on_signals()` the signal raises `Terminated` instead, which unwinds like KeyboardInterrupt.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


class Terminated(BaseException):
    """A termination signal arrived (a BaseException, like KeyboardInterrupt: `except Exception` lets it pass)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 143 for SIGTERM, 129 for SIGHUP

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


_received: list[int] = []


def received() -> Terminated | None:
    """The termination signal that arrived in `ending_on_signals`, if any: when its exception was lost
    (the workers it also stopped broke the pool first), the failure that follows is this signal's."""
    return Terminated(_received[-1]) if _received else None


@contextmanager
def ending_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Terminated` in this process while the block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (e.g. a test runner's worker thread)
        return
    owner = os.getpid()
    _received.clear()

    def handler(signum: int, _frame: FrameType | None) -> None:
        if os.getpid() != owner:  # a forked worker before it set its own handlers: just stop
            os._exit(128 + signum)
        _received.append(signum)
        raise Terminated(signum)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGHUP back while the block runs (starting worker processes); they arrive after it.

    A handler that raises inside the interpreter's fork hooks has its exception printed and ignored, so a
    signal arriving while the pool forks would be lost. Children inherit the held mask and release it in
    `ignore_signals_in_worker`."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def ignore_signals_in_worker() -> None:
    """In a forked batch worker: the parent alone answers the signals; it cancels what has not started,
    lets the chunks in flight finish and then the pool ends the workers.

    A worker must never be killed while it may be writing a result: the parent would wait forever for
    the rest of a half-written message on the result pipe (the parent holds that pipe's write end too, so
    no end of file ever comes). So a worker ignores the signals, and dies with the parent instead
    (PR_SET_PDEATHSIG on Linux) should the parent itself be killed outright."""
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    _die_with_parent()
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)  # held while the parent forked (signals_held)


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (elsewhere: nothing, the pool notices later)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
