"""A bounded memo for pure steps of an evaluation (a decision's resolution, its advice, a fired rule's trace
entry): keyed by everything the step reads, so a hit gives exactly what building again would.

Bounded so memory stays flat over any number of evaluations: past `limit` entries the older half is dropped
(insertion order; a hit does not refresh an entry, which keeps a hit a plain dict lookup)."""

from __future__ import annotations

from typing import Any

MEMO_KEPT = 4096


class BoundedMemo(dict[Any, Any]):
    """A dict that forgets its older half when it grows past `limit` entries (use `keep` to add)."""

    def __init__(self, limit: int = MEMO_KEPT) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: Any, value: Any) -> Any:
        """Adds the entry and returns the value."""
        if len(self) >= self.limit:
            for old in list(self)[: len(self) - self.limit // 2]:
                self.pop(old, None)  # (another thread may have dropped it already)
        self[key] = value
        return value
