"""Where the advisor finds its rules and notes."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_RULES = Path(__file__).resolve().parent.parent / "rules"


def default_rules_dir() -> Path:
    """$ADVISOR_RULES, else ./rules when present, else the rules folder beside the package."""
    env = os.environ.get("ADVISOR_RULES")
    if env:
        return Path(env)
    local = Path("rules")
    if (local / "decisions").is_dir():
        return local
    return _PACKAGE_RULES
