"""The wheel's compiled modules (hatch_build.py): what an editable install cannot show before a wheel is built.

The suite itself runs on the compiled modules in CI (.ci/run, "suite on the compiled modules"); here, the type
check mypyc needs, so a change that would stop the wheel compiling fails the suite of an editable install too.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.app.cli import main
from advisor.inference import evaluation

ROOT = Path(__file__).resolve().parent.parent


def _hook_config() -> dict[str, list[str]]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]  # type: ignore[no-any-return]


def test_the_modules_the_wheel_compiles_type_check_as_mypyc_needs(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    config = _hook_config()
    modules = config["modules"]
    assert modules and all((ROOT / m).is_file() for m in modules), modules
    done = subprocess.run([sys.executable, "-m", "mypy", *config["mypy-args"], "--cache-dir", str(tmp_path),
                           *modules], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_version_says_whether_the_hot_path_runs_compiled() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0, result.output
    code = next(line for line in result.output.splitlines() if line.startswith("code: "))
    compiled = not evaluation.__file__.endswith(".py")
    assert ("compiled with mypyc" in code) is compiled, (code, evaluation.__file__)
    assert ("pure Python" in code) is not compiled
