"""What a conclusion rests on: derived facts followed back, through the rules that derived them, to the facts
people gave (answers), calculated facts and unknowns. Computed once here so no view walks the trace itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from advisor.models.advice import Binding


def trace_back(start: Iterable[Binding], derived_by: Mapping[str, Sequence[str]],
               matched: Mapping[str, Sequence[Binding]]) -> list[Binding]:
    """The facts behind `start` that are not derived, each once (its first binding), breadth first: the
    bindings given come first, then what the rules deriving the derived ones matched, and so on.

    `derived_by`: derived fact -> ids of the fired rules that derived it; `matched`: fired rule id -> the
    bindings it matched. Each rule is followed once, so cycles end."""
    queue = list(start)
    seen: dict[str, Binding] = {}
    followed: set[str] = set()
    index = 0
    while index < len(queue):
        binding = queue[index]
        index += 1
        if binding.source != "derived":
            seen.setdefault(binding.fact, binding)
            continue
        for rule_id in derived_by.get(binding.fact, ()):
            if rule_id not in followed and rule_id in matched:
                followed.add(rule_id)
                queue += matched[rule_id]
    return list(seen.values())
