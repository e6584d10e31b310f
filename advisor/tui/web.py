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


def check_address(host: str, port: int) -> None:
    """Raise OSError when http://host:port cannot be served: a name that does not resolve, an address that
    is not this machine's, a port already taken. textual-serve prints its "Serving ... on http://host:port"
    banner before it binds, so without this check a failure reads as a running server, and a host name
    holding escape sequences reaches the terminal raw in that banner."""
    import socket

    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                              flags=socket.AI_PASSIVE):
        with socket.socket(family, kind, proto) as probe:
            if hasattr(socket, "SO_REUSEADDR") and sys.platform != "win32":  # as the server binds
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(address)


def serve(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve `command` on http://host:port until Ctrl-C or SIGTERM."""
    import asyncio

    from textual_serve.server import Server

    # textual-serve asks asyncio for the current loop; a host process that already ran and closed one (an
    # embedding test runner, an earlier app) leaves none, so give it a fresh one rather than fail.
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    Server(command, host=host, port=port, title="Advisor").serve()
