"""rules/retired.yaml: rule ids that were removed from the rule base and must never be reused.

A rule id is cited in reports, baselines and team snapshots; reusing one for a different rule would make an
old report point at advice it never gave.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from advisor.models.base import RuleId, Strict


class RetiredRule(Strict):
    id: RuleId
    reason: Annotated[str, Field(min_length=10)]
    """Why the rule was removed (one line): what replaced it, or why its advice no longer holds."""


class RetiredFile(Strict):
    retired: list[RetiredRule]
