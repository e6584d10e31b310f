"""The `advisor` command as installed (and `python -m advisor`): the CLI, started without the cyclic
garbage collector until the rule base is ready.

Start-up (importing pydantic and the models, reading the compiled rule base cache) allocates tens of
thousands of long-lived objects and no garbage cycles worth collecting, yet the collector runs over them
again and again while they are made: about a tenth of a one-file `advisor evaluate`. The collector is
switched back on as soon as the advisor is ready (start_up_done, called by the CLI when it has loaded the
rule base), before the command's own work, so evaluations, the TUI, `serve` and batches run with it as
usual. What start-up made is frozen first (gc.freeze): those objects live as long as the process, and
without the freeze the first collection after start-up walked all of them, a third of a one-file
`advisor evaluate` (0.47 -> 0.31 s). Commands that load no advisor (`schema`, `--help`, `--version`) are
short and end without the collector.
Code that imports advisor.app.cli itself (tests, other programs) keeps its own collector settings.
"""

from __future__ import annotations

import gc

_PAUSED = {"gc": False}


def main() -> None:
    if gc.isenabled():
        gc.disable()
        _PAUSED["gc"] = True
    try:
        from advisor.app.cli import main as cli

        cli()
    finally:
        start_up_done()


def start_up_done() -> None:
    """The advisor is ready: the collector runs again if main paused it (a no-op otherwise)."""
    if _PAUSED["gc"]:
        _PAUSED["gc"] = False
        gc.freeze()  # long-lived start-up objects: never worth a collection
        gc.enable()
