"""Find wording copied from the study notes: runs of eight or more consecutive words shared with them.

Reasoning is written in our own words; a long shared run of words means a sentence was pasted. Words are
compared lower-cased, punctuation ignored, so reflowing or re-punctuating a pasted sentence still shows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from advisor.sources.notes import NOTE_SUFFIXES

RUN = 8
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def runs(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + size]) for i in range(len(w) - size + 1)}


class CopyIndex:
    """Every run of RUN consecutive words in the note files of a folder."""

    def __init__(self, folder: Path) -> None:
        self.runs: set[tuple[str, ...]] = set()
        for path in sorted(folder.glob("*")):
            if path.is_file() and path.suffix in NOTE_SUFFIXES:
                self.runs |= runs(path.read_text(encoding="utf-8", errors="replace"))

    def copied(self, text: str) -> str | None:
        """The first shared run of words, as text, or None when the text is our own."""
        w = words(text)
        for i in range(len(w) - RUN + 1):
            if tuple(w[i:i + RUN]) in self.runs:
                # extend the run as far as it goes, to quote the whole copied stretch
                end = i + RUN
                while end < len(w) and tuple(w[end - RUN + 1:end + 1]) in self.runs:
                    end += 1
                return " ".join(w[i:end])
        return None

    def scan(self, texts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """(label, copied words) for each labelled text that shares a run with the notes."""
        out = []
        for label, text in texts:
            found = self.copied(text)
            if found:
                out.append((label, found))
        return out
