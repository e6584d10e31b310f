"""Where `advisor adr` writes each decision record in a folder that may already hold records.

Like adr-tools and log4brains, numbering continues after the highest `NNNN-*.md` already in the folder,
so records written by hand or by other tools keep their numbers. A decision that already has a record
(the same slug after the number) is never given a second one: its record is replaced in place, keeping
its number, and only with --force.

Two runs writing into the same folder at once (two scenarios, two terminals, a CI matrix) must not both
take the next number: reading the folder, choosing the numbers and writing the records happen under an
exclusive lock on the folder, so the second run numbers after the first run's records (and finds the
records of the decisions the first one wrote)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from advisor.shared.diagnostics import Diagnostic, InvalidInput, display_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks on folders
    fcntl = None  # type: ignore[assignment]

RECORD_NAME = re.compile(r"^(?P<number>\d{4,})-(?P<slug>.+)\.md$")


@dataclass
class RecordPlan:
    files: dict[Path, str] = field(default_factory=dict)
    """Path -> content, in decision order."""
    existing: list[Path] = field(default_factory=list)
    """Records of these decisions already in the folder: replaced only with --force."""


def existing_records(folder: Path) -> dict[str, Path]:
    """Slug -> the numbered record in `folder` (the lowest number, if a slug is there twice)."""
    if not folder.is_dir():
        return {}
    found: dict[str, tuple[int, Path]] = {}
    for entry in folder.iterdir():
        match = RECORD_NAME.match(entry.name)
        if match is None:
            continue
        number, slug = int(match["number"]), match["slug"]
        if slug not in found or number < found[slug][0]:
            found[slug] = (number, entry)
    return {slug: path for slug, (_, path) in found.items()}


def next_number(folder: Path) -> int:
    """One more than the highest record number in `folder` (1 for an empty or missing folder)."""
    if not folder.is_dir():
        return 1
    numbers = [int(m["number"]) for e in folder.iterdir() if (m := RECORD_NAME.match(e.name))]
    return max(numbers, default=0) + 1


def plan_records(folder: Path, records: list[tuple[str, str]]) -> RecordPlan:
    """Name each (slug, content): the existing record of that decision, else the next free number."""
    plan = RecordPlan()
    existing = existing_records(folder)
    number = next_number(folder)
    for slug, text in records:
        if slug in existing:
            plan.existing.append(existing[slug])
            plan.files[existing[slug]] = text
        else:
            plan.files[folder / f"{number:04d}-{slug}.md"] = text
            number += 1
    return plan


@contextmanager
def folder_locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `folder` (created if missing): other `advisor adr` runs into the
    same folder wait until it is released. The lock is on the folder itself, so no lock file is left
    among the records; where the system has no such locks, the block runs unlocked."""
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def write_records(folder: Path, records: list[tuple[str, str]], force: bool,
                  write: Callable[[Path, dict[Path, str]], None]) -> RecordPlan:
    """Number and write the records, holding the folder's lock from reading it to the last file written.

    A decision that already has a record is refused (a located error per record) unless `force`; then
    nothing is written. `write(folder, files)` writes all or nothing."""
    with folder_locked(folder):
        plan = plan_records(folder, records)
        if plan.existing and not force:
            raise InvalidInput([Diagnostic.at_file(display_path(path), "exists",
                                                   "this decision already has a record; pass --force to replace it")
                                for path in plan.existing])
        write(folder, plan.files)
    return plan
