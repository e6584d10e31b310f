"""The reasoning of one decision as a Tree of Steps."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from advisor.shared import safe_text
from advisor.tui.reasoning_model import Step

_STYLE = {
    "decision": "bold", "group": "bold", "option": "bold", "verdict": "", "rule": "",
    "answer": "green", "unknown": "yellow", "calculated": "cyan", "derived": "magenta",
    "citation": "blue", "question": "yellow", "note": "italic",
}


def _label(step: Step) -> Text:
    return safe_text.rich_text(step.label, _STYLE.get(step.kind, ""))


class ReasoningTree(Tree[Step]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.show_root = True
        self.guide_depth = 3

    def show_step(self, root: Step) -> None:
        self.clear()
        self.root.set_label(_label(root))
        self.root.data = root
        self._add(self.root, root)
        self.root.expand()
        self.move_cursor(self.root)

    def _add(self, node: TreeNode[Step], step: Step) -> None:
        for child in step.children:
            if child.children:
                self._add(node.add(_label(child), data=child, expand=child.expanded), child)
            else:
                node.add_leaf(_label(child), data=child)
