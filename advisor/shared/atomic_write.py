"""Write files so that a crash, a full disk or a signal never leaves half a file or destroys the old one.

Every file the advisor writes (reports, decision records, schemas, saved scenarios, exports, drafts)
goes through here: the text is written to a temporary file beside the target, then renamed over it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    write_all_atomic({path: text})


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """write_atomic for bytes."""
    write_all_atomic({path: data})


def write_all_atomic(files: dict[Path, str] | dict[Path, bytes]) -> None:
    """Write several files all or nothing (as far as the file system allows): every text goes to a
    temporary file first, and the renames start only once all of them are complete, so a full disk
    or an unwritable folder leaves the old files as they were."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)  # only the ones not renamed are still there


def _stage(path: Path, text: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates 0600; give the file the mode it had, or the one a plain open() would give.
    mode = path.stat().st_mode & 0o777 if path.is_file() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the rename makes it the file
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
