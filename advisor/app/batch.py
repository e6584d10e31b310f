"""Evaluate many scenario files; a bad file fails alone, never the batch.

Small batches run in this process. Large ones (CI over thousands of scenarios) go to a pool of
worker processes. Each worker starts as a fork of this process, so it begins with a copy of the
`Advisor` already built here: the same rules, compiled once, and an engine whose memory is its own
from then on (pages are copied on write), so no worker shares engine state with another. Results
come back in input order whatever order the workers finish in, so the output of a batch does not
depend on the number of workers.

Forking is safe because the engine wrapper starts no threads; the job (a closure built by the caller)
and the Advisor reach the workers without being pickled. Where fork is not available the batch runs
in this process.
"""

from __future__ import annotations

import gc
import math
import os
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from advisor.analysis.review import review_advice
from advisor.inference.evaluation import Advisor
from advisor.models.advice import Advice
from advisor.shared.diagnostics import Diagnostic, InvalidInput
from advisor.shared.termination import ignore_signals_in_worker, signals_held
from advisor.sources.answers import load_scenario

if TYPE_CHECKING:
    from concurrent.futures import Future

IN_PROCESS_BELOW = 200
"""Below this many files, starting workers costs more than it saves."""
MAX_CHUNK = 64
"""Files per task: large enough to amortise the round trip, small enough to balance the workers."""
WORKERS_PER_CPU = 4
"""At most this many worker processes per CPU, whatever --jobs asks for."""

MAX_WORKERS = 64
"""However many --jobs are asked for: hundreds of forked workers would only exhaust memory and process slots."""

T = TypeVar("T")
Job = Callable[[Advisor, Path], T]


@dataclass(frozen=True)
class Outcome:
    path: Path
    advice: Advice | None
    diagnostics: tuple[Diagnostic, ...] = ()


def evaluate_file(advisor: Advisor, path: Path) -> Outcome:
    """The advice for one scenario file, with the review of its current choices when it states any."""
    try:
        loaded = load_scenario(advisor.rulebase, path)
    except InvalidInput as exc:
        return Outcome(path, None, tuple(sorted(exc.diagnostics)))
    return Outcome(path, review_advice(advisor, advisor.evaluate(loaded), loaded.current))


def evaluate_files(advisor: Advisor, paths: list[Path],
                   progress: Callable[[int], None] | None = None) -> Iterator[Outcome]:
    """Every file's outcome, in order, in this process."""
    return map_files(advisor, paths, evaluate_file, jobs=1, progress=progress)


def default_jobs() -> int:
    """Worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pool_available() -> bool:
    import multiprocessing  # here, not at the top: a one-file run never starts a pool

    return "fork" in multiprocessing.get_all_start_methods()


def map_files(advisor: Advisor, paths: list[Path], job: Job[T], *, jobs: int = 1,
              progress: Callable[[int], None] | None = None,
              in_process_below: int = IN_PROCESS_BELOW) -> Generator[T, None, None]:
    """`job(advisor, path)` for every path, yielded in the order of `paths`.

    With `jobs` > 1 and at least `in_process_below` files, the calls run in `jobs` worker processes,
    each with its inherited copy of `advisor`.
    `job` must return picklable values and raise only for bugs: bad input belongs in its result.
    An exception raised by `job` ends the batch, as it would in this process.
    """
    if jobs <= 1 or len(paths) < in_process_below or not pool_available():
        for done, path in enumerate(paths, start=1):
            yield job(advisor, path)
            if progress:
                progress(done)
        return
    # More workers than CPUs only add forks and memory (`--jobs 1000000` would fork one per file).
    yield from _pooled(paths, job, advisor, min(jobs, len(paths), MAX_WORKERS, WORKERS_PER_CPU * default_jobs()),
                       progress)


@dataclass
class _Worker(Generic[T]):
    advisor: Advisor
    job: Job[T]
    paths: list[Path]
    """The batch's files: a task names its files by their positions in this list (inherited by fork, like the
    advisor), so no path is pickled on the way to a worker."""


_WORKER: _Worker[Any] | None = None


def _init_worker(advisor: Advisor, job: Job[Any], paths: list[Path]) -> None:
    global _WORKER
    # Ctrl-C reaches the whole process group; only the parent reports it (exit 130), so the
    # workers must not each print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ignore_signals_in_worker()  # SIGTERM/SIGHUP are the parent's to answer (see termination.py)
    _WORKER = _Worker(advisor, job, paths)


def _run_chunk(start: int, stop: int) -> list[Any]:
    """The job for the batch's files start to stop (excluded)."""
    worker = _WORKER
    if worker is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("batch worker used before it was initialised")
    job, advisor = worker.job, worker.advisor
    return [job(advisor, path) for path in worker.paths[start:stop]]


def _chunks(count: int, jobs: int) -> list[tuple[int, int]]:
    """The tasks for `count` files, as (start, stop) positions: each about an eighth of a worker's share of the
    files not yet given out, at most MAX_CHUNK, so the last tasks are small and no worker waits long at the end
    for another one's last task."""
    out = []
    start = 0
    while start < count:
        size = max(1, min(MAX_CHUNK, math.ceil((count - start) / (jobs * 8))))
        out.append((start, min(start + size, count)))
        start += size
    return out


def _pooled(paths: list[Path], job: Job[T], advisor: Advisor, jobs: int,
            progress: Callable[[int], None] | None) -> Generator[T, None, None]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = _chunks(len(paths), jobs)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker, initargs=(advisor, job, paths))
    # A bounded window of chunks in flight keeps memory flat however many files there are: results
    # of chunks that finish early wait here only until the chunks before them are done.
    window: deque[Future[list[Any]]] = deque()
    pending = iter(chunks)
    done = 0
    try:
        # The objects made so far (the advisor, its rules) are moved out of the collector's reach while the
        # workers fork: the workers' collections then never write to those pages, which stay shared with
        # this process instead of being copied into each worker (the gc.freeze recipe for fork).
        frozen_before = gc.get_freeze_count()  # the launcher freezes what start-up made (launch.py)
        gc.freeze()
        try:
            with signals_held():  # the first submit forks the workers; a signal then waits until they exist
                for chunk in pending:
                    window.append(pool.submit(_run_chunk, *chunk))
                    if len(window) >= jobs * 4:
                        break
        finally:
            if not frozen_before:  # here only: the workers keep theirs
                gc.unfreeze()
        while window:
            results: list[T] = window.popleft().result()
            next_chunk = next(pending, None)
            if next_chunk is not None:
                window.append(pool.submit(_run_chunk, *next_chunk))
            yield from results
            done += len(results)
            if progress:
                progress(done)
    finally:
        # On an error, Ctrl-C, a termination signal or the caller closing this generator, the chunks not
        # started are dropped and the ones in flight (a chunk is a fraction of a second) finish before
        # this returns, so no worker writes into a staging folder the caller removes afterwards. Workers
        # are not killed: one killed while sending a result would leave the pool waiting forever.
        pool.shutdown(wait=True, cancel_futures=True)
