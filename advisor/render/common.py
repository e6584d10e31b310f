"""Small wording helpers shared by the renderers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.models.advice import Binding, Verdict

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


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


def console_title(console: Console, text: Text) -> Text:
    """A title for `console.rule`, highlighted as rich highlights a str title, but never read as markup or
    emoji codes: the same output as before for ordinary titles, `[/]` or `:x:` kept as written."""
    highlighted = console.highlighter(text.plain)
    highlighted.copy_styles(text)
    return highlighted
