"""The compiled rule base cache: loading, validating and compiling the rules costs most of a one-file
`advisor evaluate`, so the result is kept in the user cache folder and reused while nothing it depends on
has changed.

The key is a digest of every entry of the rules folder (names and bytes, recursively), the folder's
absolute path and the working folder (messages show paths relative to it), the advisor's version and the
Python, pydantic and cache format versions. A changed rule file is a new key, never a stale hit.

Safe by construction: a cache file is written to a temporary file and renamed (shared.atomic_write), so
concurrent writers each put a whole file in place (the same bytes for the same key) and a reader never
sees half of one. A file that is truncated, corrupt, from another format or unreadable is a miss: the
rules are compiled as if there were no cache, and the file is replaced. A cache that cannot be written
(read-only home, full disk) is skipped silently; the cache never changes what the advisor answers.

ADVISOR_NO_CACHE=1 turns it off; ADVISOR_CACHE_DIR puts it elsewhere (the tests point it at a temporary
folder). Entries are pickles read by an unpickler that can only rebuild the rule base's own data classes
(see _RulesUnpickler): a planted file cannot run code, only be a miss.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, TypeVar

import advisor
from advisor.shared.atomic_write import write_bytes_atomic

FORMAT = b"advisor-rules-cache 2\n"
"""The first bytes of every cache file; a change in what is cached changes this."""
KEEP = 8
"""Cache files kept: older ones (other rule bases, other versions) are removed when a new one is written."""

MAX_HASHED_BYTES = 16 * 1024 * 1024
"""A rule file larger than this is refused by the loader anyway (yaml_source.MAX_FILE_BYTES is smaller):
no key, no cache."""

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where cache files go, or None when the cache is off."""
    if os.environ.get("ADVISOR_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("ADVISOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return platformdirs.user_cache_path("advisor") / "rules"


def cache_key(rules_dir: Path) -> str | None:
    """The digest of everything the compiled rules depend on; None when the folder cannot be read."""
    import pydantic

    digest = hashlib.sha256(FORMAT)
    for part in (advisor.__version__, sys.version, pydantic.VERSION, str(rules_dir.resolve()), os.getcwd()):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    # The code that loads and compiles counts too: in an editable install or a checkout the version stays the
    # same while the models change, and a pickle of old models must never be read back by new code.
    try:
        for relative, entry in sorted(_entries(os.path.dirname(advisor.__file__), "")):
            if relative.endswith((".py", ".so", ".pyd")):  # .so, .pyd: modules compiled with mypyc (hatch_build.py)
                info = entry.stat()
                digest.update(f"{relative}:{info.st_size}:{info.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    except OSError:
        return None  # a package that cannot be listed (run from a zip archive): no key, no cache
    try:
        for relative, entry in sorted(_entries(str(rules_dir), "")):
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
            if relative.endswith((".yaml", ".yml")) and entry.is_file():  # other entries matter by name only
                if entry.stat().st_size > MAX_HASHED_BYTES:
                    return None
                with open(entry.path, "rb") as handle:
                    digest.update(handle.read())
            digest.update(b"\1" if entry.is_dir() else b"\2")
    except OSError:
        return None  # the loader reports what it cannot read; nothing is cached for such a folder
    return digest.hexdigest()[:32]


def _entries(folder: str, prefix: str) -> list[tuple[str, os.DirEntry[str]]]:
    """Every entry below this folder with its path relative to the top (as Path.rglob("*") lists them:
    symbolic links to folders are listed, not followed). os.scandir: a one-file evaluation computes the key
    on every start, and pathlib's per-entry objects and calls cost several times the reading."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    with os.scandir(folder) as listing:
        for entry in listing:
            relative = prefix + entry.name
            found.append((relative, entry))
            if entry.is_dir() and not entry.is_symlink():
                found += _entries(entry.path, relative + "/")
    return found


def cached(rules_dir: Path, build: Callable[[], T], kind: type[T]) -> T:
    """build()'s result for this rules folder: from the cache when a valid entry exists, else built (errors
    from build propagate and nothing is cached) and stored."""
    folder = cache_dir()
    key = cache_key(rules_dir) if folder is not None else None
    if folder is None or key is None:
        return build()
    path = folder / f"{key}.pickle"
    found = _read(path, kind)
    if found is not None:
        return found
    value = build()
    _write(folder, path, value)
    return value


def _read(path: Path, kind: type[T]) -> T | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(FORMAT):
        return None
    try:
        value = _RulesUnpickler(io.BytesIO(data[len(FORMAT) :])).load()
    except Exception:  # truncated, corrupt or refused: unpickling can fail in many ways, all of them a miss
        return None
    return value if isinstance(value, kind) else None


_CLASS_MODULES = ("advisor.models.", "advisor.sources.", "advisor.inference.compiler", "advisor.inference.evaluation")


class _RulesUnpickler(pickle.Unpickler):
    """Unpickling that can only make the data classes a compiled rule base is made of (the advisor's
    models, sources and compiled forms, paths, and the syntax-tree nodes of formulas), never call a
    function: a cache file someone else wrote cannot run code (the "restricting globals" recipe of the
    pickle documentation). Anything else makes the file a miss."""

    def find_class(self, module: str, name: str) -> Any:
        # The module is checked before it is imported: importing an arbitrary module can run code.
        # (Python 3.13 moved the path classes into pathlib._local, and pickles name that module.)
        known = module.startswith(_CLASS_MODULES) or module in ("pathlib", "pathlib._local", "ast")
        found = super().find_class(module, name) if known and "." not in name else None
        allowed = isinstance(found, type) and (
            (module.startswith(_CLASS_MODULES) and found.__module__ == module)
            or (module in ("pathlib", "pathlib._local") and issubclass(found, PurePath))
            or (module == "ast" and issubclass(found, ast.AST))
        )
        if not allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a compiled rule base")
        return found


def _write(folder: Path, path: Path, value: object) -> None:
    try:
        data = FORMAT + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_bytes_atomic(path, data)
        old = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for stale in old:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # no cache this time; the rules were compiled all the same
