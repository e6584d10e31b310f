"""Small wording helpers shared by the renderers."""

from __future__ import annotations

from advisor.models.advice import Binding, Verdict


def verdict_sign(v: Verdict) -> str:
    """'requires', 'excludes', or the signed weight the verdict adds."""
    return {"require": "requires", "exclude": "excludes", "recommend": f"+{v.weight:g}",
            "avoid": f"{v.weight:g}"}[v.kind]


def binding_value(b: Binding) -> str:
    if b.value is None:
        return "unknown"
    if isinstance(b.value, bool):
        return "yes" if b.value else "no"
    if isinstance(b.value, list):
        return ", ".join(b.value) or "none"
    return str(b.value)
