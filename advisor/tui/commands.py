"""Command palette: jump to any relevant question, or open the reasoning of any decision."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from advisor.shared import safe_text

if TYPE_CHECKING:
    from advisor.tui.screens.main import MainScreen


class QuestionsAndDecisions(Provider):
    def _main(self) -> MainScreen | None:
        from advisor.tui.screens.main import MainScreen

        screen = self.app.screen_stack[0] if self.app.screen_stack else None
        for candidate in self.app.screen_stack:
            if isinstance(candidate, MainScreen):
                return candidate
        return screen if isinstance(screen, MainScreen) else None

    def _entries(self) -> list[tuple[str, str, object]]:
        main = self._main()
        if main is None or main.evaluation is None:
            return []
        entries: list[tuple[str, str, object]] = []
        # The palette reads a str prompt or help as markup: rule-base texts go in escaped (safe_text.markup).
        for q in main.evaluation.relevant:
            entries.append((f"Question: {safe_text.line(q.prompt)}", safe_text.markup(q.help or q.id),
                            partial(self._jump, q.id)))
        for d in main.evaluation.advice.decisions:
            entries.append((f"Why: {safe_text.line(d.title)}", safe_text.markup(d.summary), partial(self._why, d.id)))
        return entries

    def _jump(self, qid: str) -> None:
        main = self._main()
        if main is not None:
            self._to_main(main)
            main.call_later(main.jump_to, qid)

    def _why(self, decision_id: str) -> None:
        main = self._main()
        if main is not None:
            self._to_main(main)
            main.show_reasoning(decision_id)

    def _to_main(self, main: MainScreen) -> None:
        while self.app.screen is not main and len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(Text(title), callback, text=title, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(safe_text.markup(title)), callback, text=title,
                          help=help_text)  # type: ignore[arg-type]
