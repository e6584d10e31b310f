"""The questionnaire in a web browser: textual-serve runs `advisor ask` once per browser tab.

Each tab gets its own process (its own session and draft handling), driven through Textual's web
driver; nothing here decides or reads the rule base."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 8000


def served_command(scenario: Path | None, rules_dir: Path | None, notes_dir: Path | None) -> str:
    """The shell command each browser tab runs: this Python's `advisor ask` with the same options.
    Paths are made absolute, so the served app reads the same files whatever folder it runs in."""
    args = [sys.executable, "-m", "advisor", "ask"]
    if scenario is not None:
        args.append(str(scenario.absolute()))
    if rules_dir is not None:
        args += ["--rules", str(rules_dir.absolute())]
    if notes_dir is not None:
        args += ["--notes", str(notes_dir.absolute())]
    return shlex.join(args)


def serve(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve `command` on http://host:port until Ctrl-C or SIGTERM."""
    from textual_serve.server import Server

    Server(command, host=host, port=port, title="Advisor").serve()
