"""The repository stays clean: nothing it tracks is something .gitignore says must not be committed
(virtual environments, build output, caches), and the package ships its own rule base."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def checkout() -> Path:
    if shutil.which("git") is None or _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        pytest.skip("not a git checkout (an sdist or a copy): nothing tracked to check")
    return ROOT


def test_no_tracked_file_matches_gitignore(checkout: Path) -> None:
    ignored = _git("ls-files", "--cached", "--ignored", "--exclude-standard").stdout.splitlines()
    assert ignored == [], f"{len(ignored)} tracked files match .gitignore, e.g. {ignored[:5]}"


def test_gitignore_lists_what_the_readme_commands_create(checkout: Path) -> None:
    patterns = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for needed in (".venv/", "*.egg-info/", "__pycache__/", ".pytest_cache/", "/build/", "/dist/"):
        assert needed in patterns, f".gitignore does not list {needed}"


def test_the_wheel_configuration_bundles_the_rules_and_schemas() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included == {"rules": "advisor/_bundled/rules", "schemas": "advisor/_bundled/schemas"}
    assert (ROOT / "rules" / "decisions").is_dir() and (ROOT / "schemas").is_dir()
