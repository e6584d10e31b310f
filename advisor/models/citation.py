"""A pointer into the study notes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from advisor.models.base import Strict


class Citation(Strict):
    """Where in the study notes a claim comes from."""

    note: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+\.(txt|md)$")]
    """The note file name, e.g. 001_3a3c0835dfb19cbf.txt (no folder)."""
    section: Annotated[str, Field(min_length=1, max_length=300)]
    """The exact heading the cited lines sit under; enclosing headings may precede it, joined with ' › '."""
    lines: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=2)]
    """The cited line range, [start, end] (1-based, inclusive) or [line]."""

    @model_validator(mode="after")
    def _ordered(self) -> Citation:
        if len(self.lines) == 2 and self.lines[1] < self.lines[0]:
            raise ValueError(f"line range {self.lines[0]}-{self.lines[1]} ends before it starts")
        return self

    @property
    def start(self) -> int:
        return self.lines[0]

    @property
    def end(self) -> int:
        return self.lines[-1]

    @property
    def heading(self) -> str:
        """The nearest heading (last segment of the section path, brackets excluded)."""
        parts = [p.strip() for p in self.section.split("›")]
        plain = [p for p in parts if not (p.startswith("[") and p.endswith("]"))]
        return plain[-1] if plain else parts[-1]

    def render(self) -> str:
        span = f"L{self.start}" if self.start == self.end else f"L{self.start}-{self.end}"
        return f"{self.note} § {self.section} {span}"
