"""Read the study notes to resolve citations: which heading each line sits under.

Headings, as the notes write them: Markdown `#` lines; short blockquote labels
(`> Producers`) used as sub-headings; and the `<summary>` title of a
`<details>` block. Link syntax is reduced to its text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from advisor.models.citation import Citation
from advisor.shared.diagnostics import Diagnostic, display_path

NOTE_SUFFIXES = (".txt", ".md")
"""The note files of a notes folder: what citations name and what copied text is looked for in."""
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_QUOTE_LABEL = re.compile(r"^>\s*(\S.*)$")
_SUMMARY = re.compile(r"<summary[^>]*>(.*?)</summary>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_TAGS = re.compile(r"<[^>]+>")


def _clean(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _TAGS.sub("", text)
    return text.strip().strip("*").strip()


@dataclass(frozen=True)
class Heading:
    line: int
    text: str


@dataclass(frozen=True)
class NoteFile:
    name: str
    lines: tuple[str, ...]
    headings: tuple[Heading, ...]

    def heading_above(self, line: int) -> Heading | None:
        found = None
        for heading in self.headings:
            if heading.line > line:
                break
            found = heading
        return found

    def passage(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start - 1 : end])


def parse_note(name: str, text: str) -> NoteFile:
    lines = tuple(text.splitlines())
    headings: list[Heading] = []
    for number, line in enumerate(lines, start=1):
        summary = _SUMMARY.search(line)
        if summary:
            headings.append(Heading(number, _clean(summary.group(1))))
            continue
        md = _MD_HEADING.match(line)
        if md:
            headings.append(Heading(number, _clean(md.group(2))))
            continue
        quote = _QUOTE_LABEL.match(line)
        if quote and len(_clean(quote.group(1)).split()) <= 8:
            headings.append(Heading(number, _clean(quote.group(1))))
    return NoteFile(name, lines, tuple(headings))


class Notes:
    """A folder of note files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def locate(explicit: Path | None = None) -> Path | None:
        """--notes DIR, else $ADVISOR_NOTES; None when neither is set."""
        if explicit is not None:
            return explicit
        env = os.environ.get("ADVISOR_NOTES")
        return Path(env) if env else None

    def note(self, name: str) -> NoteFile | None:
        return _load(self.folder.resolve(), name)

    def check(self, citation: Citation) -> str | None:
        """None when the citation resolves; otherwise what is wrong with it."""
        note = self.note(citation.note)
        if note is None:
            return f"note file {citation.note} not found in {self.folder}"
        if citation.end > len(note.lines):
            return (f"lines {citation.start}-{citation.end} run past the end of {citation.note} "
                    f"({len(note.lines)} lines)")
        heading = note.heading_above(citation.start)
        if heading is None:
            return f"line {citation.start} of {citation.note} is above the first heading"
        if heading.text != citation.heading:
            return (f"the nearest heading above line {citation.start} is '{heading.text}' (line {heading.line}), "
                    f"not '{citation.heading}'")
        return None


def unreadable_notes(folder: Path) -> list[Diagnostic]:
    """A located problem for each note file in `folder` that is not UTF-8 text (binary, UTF-16, or a
    byte that is not UTF-8): read with replacement characters, its citations and copied text would be
    checked against garbled lines without a word."""
    problems: list[Diagnostic] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in NOTE_SUFFIXES or not path.is_file():
            continue
        problem = _not_text(path.read_bytes(), display_path(path))
        if problem is not None:
            problems.append(problem)
    return problems


def _not_text(raw: bytes, shown: str) -> Diagnostic | None:
    if raw.startswith(_UTF16_32_BOMS):
        return Diagnostic(shown, 1, 1, "notes_file", "the note is UTF-16 or UTF-32; save it as UTF-8")
    if b"\x00" in raw:
        return Diagnostic(shown, 1, 1, "notes_file", "a binary file, not a note: notes are UTF-8 text")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        return Diagnostic(shown, line, column, "notes_file",
                          f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the note as UTF-8")
    return None


@lru_cache(maxsize=32)
def _load(folder: Path, name: str) -> NoteFile | None:
    path = folder / name
    if "/" in name or "\\" in name or not path.is_file():
        return None
    return parse_note(name, path.read_text(encoding="utf-8", errors="replace"))
