"""Small helpers shared by the renderers (the words themselves come from `advisor.shared.wording`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.models.advice import Binding, Verdict
from advisor.shared.wording import verdict_sign as _sign

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def verdict_sign(v: Verdict) -> str:
    """'requires', 'excludes', or the signed weight the verdict adds."""
    return _sign(v.kind, v.weight)


def matched_text(bindings: list[Binding]) -> str:
    """The facts a rule matched, as 'fact=value' pairs (values as the Advice words them); 'always' for none."""
    return ", ".join(f"{b.fact}={b.display}" for b in bindings) or "always"


def console_title(console: Console, text: Text) -> Text:
    """A title for `console.rule`, highlighted as rich highlights a str title, but never read as markup or
    emoji codes: the same output as before for ordinary titles, `[/]` or `:x:` kept as written."""
    highlighted = console.highlighter(text.plain)
    highlighted.copy_styles(text)
    return highlighted
