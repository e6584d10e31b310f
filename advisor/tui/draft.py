"""The autosaved draft: the session's answers, so nothing typed is lost on a crash or quit.

The draft is a scenario file (so it loads through the same checks) plus a small JSON sidecar
that says which file was being edited and when. Lives in $ADVISOR_STATE_DIR, else the
platform's user state folder; the app keeps one draft per scenario file (or, for a new scenario,
per working folder), so one project is never offered another's answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from advisor.shared.atomic_write import write_atomic

DRAFT_NAME = "draft.scenario.yaml"
META_NAME = "draft.json"
DRAFTS_FOLDER = "drafts"


def draft_key(scenario: Path | None) -> Path:
    """What a draft belongs to: the scenario file being edited, else the folder a new scenario starts in."""
    return (scenario if scenario is not None else Path.cwd()).resolve()


def state_dir() -> Path:
    env = os.environ.get("ADVISOR_STATE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_state_path("advisor")


@dataclass(frozen=True)
class DraftInfo:
    path: Path
    source: Path | None
    saved_at: float

    def saved_label(self) -> str:
        """When the draft was saved, as people read it; a time no calendar holds reads as unknown."""
        try:
            return datetime.fromtimestamp(self.saved_at).strftime("%Y-%m-%d %H:%M")
        except (OverflowError, OSError, ValueError):
            return "an unknown time"


def _timestamp(value: object, fallback: float) -> float:
    """The sidecar's saved_at if it is a usable time (it is a hand-editable file), else the fallback."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return fallback
    try:
        datetime.fromtimestamp(value)
    except (OverflowError, OSError, ValueError):  # NaN, ±huge, before the platform's epoch range
        return fallback
    return float(value)


class DraftStore:
    def __init__(self, folder: Path | None = None, key: Path | None = None) -> None:
        """key: the draft_key the draft belongs to; None keeps one draft directly in the folder."""
        base = folder if folder is not None else state_dir()
        self.key = key
        digest = hashlib.sha256(str(key).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.folder = base if key is None else base / DRAFTS_FOLDER / digest
        self.path = self.folder / DRAFT_NAME
        self.meta = self.folder / META_NAME

    def save(self, text: str, source: Path | None) -> None:
        write_atomic(self.path, text)
        meta = {"source": str(source.resolve()) if source else None, "saved_at": time.time(),
                "key": str(self.key) if self.key is not None else None}
        write_atomic(self.meta, json.dumps(meta))

    def info(self) -> DraftInfo | None:
        """The draft to offer, or None; never raises, so a damaged state folder cannot stop the app."""
        try:
            if not self.path.is_file():
                return None
            modified = self.path.stat().st_mtime
        except OSError:  # a state folder the system refuses (name too long, no permission)
            return None
        source, saved_at = None, modified
        try:
            meta = json.loads(self.meta.read_text(encoding="utf-8"))
            source_text = meta.get("source")
            source = Path(source_text) if isinstance(source_text, str) and source_text else None
            saved_at = _timestamp(meta.get("saved_at"), modified)
        except (OSError, ValueError, TypeError, AttributeError, RecursionError):
            pass  # the draft itself is what matters; the sidecar is only a label
        return DraftInfo(self.path, source, saved_at)

    def clear(self) -> str | None:
        """Remove the draft; the reason it could not be removed (a read-only state folder), or None."""
        try:
            self.path.unlink(missing_ok=True)
            self.meta.unlink(missing_ok=True)
        except OSError as exc:
            return f"could not remove the draft {self.path}: {exc.strerror or exc}"
        return None
