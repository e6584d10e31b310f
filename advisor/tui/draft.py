"""The autosaved draft: the session's answers, so nothing typed is lost on a crash or quit.

The draft is a scenario file (so it loads through the same checks) plus a small JSON sidecar
that says which file was being edited and when. Lives in $ADVISOR_STATE_DIR, else the
platform's user state folder.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from advisor.atomic_write import write_atomic

DRAFT_NAME = "draft.scenario.yaml"
META_NAME = "draft.json"


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


class DraftStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else state_dir()
        self.path = self.folder / DRAFT_NAME
        self.meta = self.folder / META_NAME

    def save(self, text: str, source: Path | None) -> None:
        write_atomic(self.path, text)
        meta = {"source": str(source.resolve()) if source else None, "saved_at": time.time()}
        write_atomic(self.meta, json.dumps(meta))

    def info(self) -> DraftInfo | None:
        if not self.path.is_file():
            return None
        source, saved_at = None, self.path.stat().st_mtime
        try:
            meta = json.loads(self.meta.read_text(encoding="utf-8"))
            source = Path(meta["source"]) if meta.get("source") else None
            saved_at = float(meta.get("saved_at", saved_at))
        except (OSError, ValueError, TypeError, KeyError):
            pass  # the draft itself is what matters; the sidecar is only a label
        return DraftInfo(self.path, source, saved_at)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)
