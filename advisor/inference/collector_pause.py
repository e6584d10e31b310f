"""The cyclic garbage collector held off while an evaluation builds its advice.

An evaluation allocates thousands of container objects (result objects, their lists, memo keys), enough to
trigger several young collections each time; every tenth of those promotes into the older generations, and the
full collections that follow walk everything the advisor keeps (the rule base, the memos' values: hundreds of
thousands of objects). Measured with `gc.callbacks` over 2,000 generated heavy scenarios, collections took about
a tenth of each advice, and found nothing: an evaluation makes no reference cycles (tests/test_collector_pause.py
checks that), so its garbage is freed by reference counting alone. Pausing the collector for the evaluation
skips that work; the allocations still count, so the collector runs as usual once the program allocates again.
"""

from __future__ import annotations

import gc
import threading
from types import TracebackType


class CollectorPause:
    """A context in which the collector does not run; re-entrant and shared by threads: the first to enter
    disables it and the last to leave restores the state the first found (a program that disabled the
    collector itself keeps it disabled)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._inside += 1

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._resume:
                gc.enable()


collector_paused = CollectorPause()
"""The one pause every evaluation shares (threads evaluating at once share its count)."""
