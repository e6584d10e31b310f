"""Expand command-line paths (files, folders, globs) into scenario files, in a stable order."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from advisor.shared.diagnostics import Diagnostic, display_path

SCENARIO_SUFFIXES = (".yaml", ".yml")
_REPEATED_GLOBSTAR = re.compile(r"(?<![^/])\*\*(?:/\*\*)+(?![^/])")
"""`**/**`: matches what one `**` matches, but glob tries every way to split the folders between them
(time polynomial in the depth of the tree, to the power of the number of `**`)."""


def _is_scenario_name(name: str) -> bool:
    return name.endswith(SCENARIO_SUFFIXES) and not name.endswith((".test.yaml", ".test.yml"))


def find_scenarios(paths: list[str]) -> tuple[list[Path], list[Diagnostic]]:
    """Scenario files under the given paths (folders are searched recursively, symlinked folders are not
    followed so loops cannot hang the search) and a diagnostic for each path that matched nothing."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        try:
            found += _expand(raw, problems)
        except OSError as exc:  # a name longer than the system allows, a folder that cannot be listed
            problems.append(Diagnostic.of_os_error(exc, raw))
    if len(paths) == 1 and not any(ch in paths[0] for ch in "*?["):
        return found, problems  # one file, or one folder's walk: each file once (hashing 10,000 Paths is not free)
    return list(dict.fromkeys(found)), problems


def _expand(raw: str, problems: list[Diagnostic]) -> list[Path]:
    """The scenario files one command-line path names; a path that names none adds to `problems`."""
    found: list[Path] = []
    path = Path(raw)
    if path.is_dir():
        inside, unreadable = _walk(path)
        problems += unreadable
        if not inside and not unreadable:
            problems.append(Diagnostic.at_file(display_path(path), "no_scenarios",
                                               "no scenario files (*.yaml) in this folder"))
        found += inside
    elif path.exists() or path.is_symlink():
        found.append(path)
    elif any(ch in raw for ch in "*?["):
        # `**/**/**` matches what one `**` does, at a cost that grows with every repeat
        pattern = _REPEATED_GLOBSTAR.sub("**", raw)
        matches = sorted(Path(m) for m in glob.glob(pattern, recursive=True) if _is_scenario_name(m))
        if not matches:
            problems.append(Diagnostic.at_file(raw, "no_match", "the pattern matches no scenario file"))
        found += matches
    else:
        problems.append(Diagnostic.at_file(raw, "not_found", "no such file or folder"))
    return found


def _walk(top: Path) -> tuple[list[Path], list[Diagnostic]]:
    """Scenario files under a folder, and a diagnostic for each folder that could not be listed.

    os.walk skips a folder it cannot list without a word; a skipped folder is skipped scenarios, so it
    is reported (and fails the run) like a missing file."""
    inside: list[Path] = []
    unreadable: list[Diagnostic] = []

    def cannot_list(exc: OSError) -> None:
        where = exc.filename if exc.filename is not None else top
        unreadable.append(Diagnostic.at_file(display_path(where), "unreadable",
                                             f"cannot read this folder ({exc.strerror or exc}): its scenarios "
                                             "were not evaluated"))

    for folder, dirs, files in os.walk(top, onerror=cannot_list, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        base = Path(folder)  # once per folder: a batch folder may hold thousands of files
        inside += [base / f for f in sorted(files) if _is_scenario_name(f)]
    return inside, unreadable
