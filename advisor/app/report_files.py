"""Which files in a report folder the advisor wrote itself, and so may replace.

`evaluate --output DIR` names each report after its scenario id, so a file the user made by hand
(notes.md, a fixture called like a scenario) may have a report's name. The advisor replaces only a
regular file that starts the way its own reports of that format start (or a symlink, which is replaced,
never followed); anything else needs --force.
Reading the first few kilobytes is enough: a re-run over thousands of reports must stay cheap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_HEAD_BYTES = 4096
_REPORT_STARTS = {
    "json": ('{\n  "scenario": {\n    "id": ',),  # render_json: the scenario block comes first
    "md": ("# Advice: ",),  # render_markdown's title line
    "txt": ("─",),  # print_advice opens with a rule (the title and the scenario id)
    "summary.txt": ("Summary: ",),  # render_summary's first line
}


def is_advisor_report(path: Path, ext: str) -> bool:
    """True for a regular file that reads like a report of this format (extension) the advisor wrote."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return True  # replacing the link itself loses no data: what it points to is never touched
        if not stat.S_ISREG(info.st_mode):
            return False  # a folder, FIFO...: never the advisor's own report
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return head.startswith(_REPORT_STARTS.get(ext, ()))
