"""pytest plugin: snapshot-test a team's scenario files with syrupy.

Enable it in the team's pytest configuration; every scenario file matching the globs becomes a test
whose advice (JSON) is pinned in __snapshots__/ beside the file. `pytest --snapshot-update` records
the advice; afterwards any change to the rules shows up as a failing test with a reviewable diff.

    [tool.pytest.ini_options]
    advisor_scenarios = ["scenarios/*.scenario.yaml"]
    testpaths = ["scenarios"]
"""

from __future__ import annotations

import fnmatch
import re
import types
from pathlib import Path
from typing import Any

import pytest

_ADVISORS: dict[str, Any] = {}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOT_EVALUATED = "advisor: this scenario could not be evaluated"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("advisor_scenarios", type="linelist", default=[],
                  help="advisor: glob patterns (relative to rootdir) of scenario files to snapshot-test")
    parser.addini("advisor_rules", default="",
                  help="advisor: rules folder, relative to rootdir (default: $ADVISOR_RULES, [tool.advisor] rules "
                       "in pyproject.toml, or the rules bundled with the package)")


def _advisor(config: pytest.Config) -> Any:
    """The advisor of the configured rule base, built once per folder; InvalidInput when it is invalid."""
    from advisor.inference.evaluation import Advisor
    from advisor.sources.locations import resolve_rules

    configured = config.getini("advisor_rules")
    location = resolve_rules(config.rootpath / configured if configured else None)
    key = str(location.folder.resolve())
    if key not in _ADVISORS:
        _ADVISORS[key] = Advisor.from_folder(location.folder, "auto", location.label)
    return _ADVISORS[key]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.getini("advisor_scenarios")
    if not patterns or file_path.suffix not in (".yaml", ".yml"):
        return None
    try:
        relative = file_path.relative_to(parent.config.rootpath).as_posix()
    except ValueError:
        return None
    if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def _json_extension() -> type:
    try:
        from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
    except ImportError:
        pytest.fail("advisor: snapshot tests need syrupy: pip install 'advisor[snapshots]'", pytrace=False)

    class AdviceJSON(SingleFileSnapshotExtension):
        _file_extension = "json"
        _write_mode = WriteMode.TEXT

    return AdviceJSON


class ScenarioFile(pytest.Module):
    """A scenario file, presented to pytest as a module holding one test function.

    Going through pytest's own Module/Function keeps fixtures (syrupy's `snapshot`) working as usual."""

    def _getobj(self) -> types.ModuleType:
        path, config = self.path, self.config
        module = types.ModuleType(f"advisor_scenario_{path.stem.replace('.', '_').replace('-', '_')}")

        def test_advice(snapshot: Any) -> None:
            from advisor.analysis.review import review_advice
            from advisor.render.json_format import render_json
            from advisor.shared import safe_text
            from advisor.shared.diagnostics import InvalidInput
            from advisor.sources.answers import load_scenario

            expected = snapshot(extension_class=_json_extension())
            problem = None
            try:
                advisor = _advisor(config)
            except InvalidInput as exc:
                problem = f"advisor: the rule base is invalid:\n{exc}"
            else:
                try:
                    loaded = load_scenario(advisor.rulebase, path)
                except InvalidInput as exc:
                    problem = str(exc)
            if problem is not None:
                # Nothing was evaluated, so the pinned advice stays: an assertion that cannot write marks it
                # as in use (else `--snapshot-update` deletes it as unused). Failing outside the `except`
                # keeps pytest from printing the problem twice ("During handling of the above exception").
                expected.update_snapshots = False
                _ = expected == _NOT_EVALUATED
                pytest.fail(problem, pytrace=False)
            # a scenario with current choices pins its review too (as `advisor evaluate` reports it)
            if expected != render_json(review_advice(advisor, advisor.evaluate(loaded), loaded.current)):
                # spell the diff out: assertion rewriting may not reach a plugin module
                # syrupy colours each character; what is left quotes the saved snapshot: shown, never sent raw
                diff = (safe_text.line(_ANSI.sub("", line)) for line in expected.get_assert_diff())
                pytest.fail("advice changed:\n" + "\n".join(diff), pytrace=False)

        test_advice.__module__ = module.__name__
        module.test_advice = test_advice  # type: ignore[attr-defined]
        module.__file__ = str(path)
        return module
