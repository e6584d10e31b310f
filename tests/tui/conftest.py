"""TUI fixtures: a small frozen rule base (fixtures/rules), an isolated draft folder, an app factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.inference.evaluation import Advisor
from advisor.tui.app import AdvisorApp

FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture(scope="session")
def tui_advisor() -> Iterator[Advisor]:
    advisor = Advisor.from_folder(FIXTURE_RULES)
    yield advisor
    advisor.close()


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts go to a per-test folder, never to the user's state folder."""
    folder = tmp_path / "state"
    monkeypatch.setenv("ADVISOR_STATE_DIR", str(folder))
    monkeypatch.delenv("ADVISOR_NOTES", raising=False)
    return folder


@pytest.fixture
def make_app(tui_advisor: Advisor) -> Callable[..., AdvisorApp]:
    def make(**kwargs: Any) -> AdvisorApp:
        kwargs.setdefault("cursor_blink", False)
        app = AdvisorApp(tui_advisor, **kwargs)
        app.jump_highlight_s = 3600  # a screenshot must not depend on the machine's speed
        return app

    return make
