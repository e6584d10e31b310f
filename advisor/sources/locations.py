"""Which rule base the advisor uses, and where the bundled one lives.

The rule base is never picked up implicitly from the current folder: a `rules/` folder that happens to
be there must not silently replace the advice the package ships. In order, the first that is set wins:
`--rules DIR`, `$ADVISOR_RULES`, `[tool.advisor] rules = "DIR"` in the nearest pyproject.toml (a
team's documented project setting, relative to that file), and the rules bundled with the package.
Whichever it is, it is stated in every report, in `--version` and by `advisor lint`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from advisor.shared.diagnostics import Diagnostic, InvalidInput, display_path

_PACKAGE = Path(__file__).resolve().parent.parent  # the advisor package (this file is in advisor/sources/)
_WHEEL_RULES = _PACKAGE / "_bundled" / "rules"
"""Where a built wheel keeps the rule base (pyproject.toml force-includes rules/ there)."""
_SOURCE_RULES = _PACKAGE.parent / "rules"
"""A source checkout (editable install): the repository's own rules/ folder."""
_WHEEL_SCHEMAS = _PACKAGE / "_bundled" / "schemas"
_SOURCE_SCHEMAS = _PACKAGE.parent / "schemas"

BUNDLED = "bundled"


@dataclass(frozen=True)
class RulesLocation:
    folder: Path
    origin: str
    """How it was chosen: 'bundled', '--rules', 'ADVISOR_RULES' or 'pyproject.toml'."""

    @property
    def label(self) -> str:
        """What reports say about the rule base: 'bundled', or the folder as the user named it."""
        return BUNDLED if self.origin == BUNDLED else display_path(self.folder)

    def describe(self) -> str:
        if self.origin == BUNDLED:
            return f"bundled with the package ({self.folder})"
        return f"{display_path(self.folder)} (from {self.origin})"


def bundled_rules_dir() -> Path:
    return _WHEEL_RULES if _WHEEL_RULES.is_dir() else _SOURCE_RULES


def bundled_schemas_dir() -> Path:
    return _WHEEL_SCHEMAS if _WHEEL_SCHEMAS.is_dir() else _SOURCE_SCHEMAS


def _nonempty(value: str, where: str) -> str:
    if not value.strip():
        raise InvalidInput([Diagnostic.at_file(where, "rules", "the rules folder is empty text; name a folder")])
    return value


def project_setting(start: Path | None = None) -> RulesLocation | None:
    """`[tool.advisor] rules` from the nearest pyproject.toml at or above `start` (the working folder)."""
    try:
        here = (start or Path.cwd()).resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        try:
            if not candidate.is_file():
                continue
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except OSError:
            return None  # an unreadable project file: no setting (the bundled rules are stated in reports)
        except UnicodeDecodeError as exc:  # read, but not TOML: its setting must not be skipped silently
            encoding = "UTF-16" if exc.object[:2] in (b"\xff\xfe", b"\xfe\xff") else "not UTF-8"
            message = f"not valid TOML: the file is {encoding}; save it as UTF-8"
            raise InvalidInput([Diagnostic.at_file(display_path(candidate), "pyproject", message)]) from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput([Diagnostic.at_file(display_path(candidate), "pyproject",
                                                   f"not valid TOML: {exc}")]) from None
        tool = data.get("tool", {})
        section = tool.get("advisor") if isinstance(tool, dict) else None
        if not isinstance(section, dict) or "rules" not in section:
            return None  # the nearest project file decides, like other tools' settings
        value = section["rules"]
        if not isinstance(value, str):
            raise InvalidInput([Diagnostic.at_file(display_path(candidate), "pyproject",
                                                   "[tool.advisor] rules must be a folder path (text)")])
        return RulesLocation(folder / _nonempty(value, display_path(candidate)), "pyproject.toml")
    return None


def resolve_rules(explicit: Path | None) -> RulesLocation:
    """The rule base to use: --rules, $ADVISOR_RULES, the project setting, or the bundled rules."""
    if explicit is not None:
        return RulesLocation(Path(_nonempty(str(explicit), "--rules")), "--rules")
    env = os.environ.get("ADVISOR_RULES")
    if env is not None and env != "":
        return RulesLocation(Path(env), "ADVISOR_RULES")
    return project_setting() or RulesLocation(bundled_rules_dir(), BUNDLED)
