"""A bounded memo for pure steps of an evaluation (a decision's resolution, its advice, a fired rule's trace
entry): keyed by everything the step reads, so a hit gives exactly what building again would.

Bounded so memory stays flat over any number of evaluations: past `limit` entries the older half is dropped
(insertion order; a hit does not refresh an entry, which keeps a hit a plain dict lookup).

A value is kept only when its key comes round a second time: most keys that carry a scenario's own numbers
are never seen again, and keeping their values would only give the garbage collector long-lived objects to
go over again and again (it cost more than building them). The first time, only the key's hash is noted (an
int, which the collector does not track); a hash shared by two keys only means one is kept a time early."""

from __future__ import annotations

from typing import Any

MEMO_KEPT = 4096


class BoundedMemo(dict[Any, Any]):
    """A dict that forgets its older half when it grows past `limit` entries (use `keep` to add)."""

    def __init__(self, limit: int = MEMO_KEPT) -> None:
        super().__init__()
        self.limit = limit
        self._seen: set[int] = set()
        """Hashes of keys offered once (bounded: emptied past 4 * limit)."""

    def keep(self, key: Any, value: Any) -> Any:
        """Returns the value, and adds the entry if the key was offered before."""
        marker = hash(key)
        if marker not in self._seen:
            if len(self._seen) >= 4 * self.limit:
                self._seen.clear()
            self._seen.add(marker)
            return value
        if len(self) >= self.limit:
            for old in list(self)[: len(self) - self.limit // 2]:
                self.pop(old, None)  # (another thread may have dropped it already)
        self[key] = value
        return value

    def clear(self) -> None:
        super().clear()
        self._seen.clear()
