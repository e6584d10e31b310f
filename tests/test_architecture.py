"""Layering rules, checked on the source: one module talks to durable-rules, one package to Textual,
renderers never decide, the core never prints; and the code is ruff-clean."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_only_the_durable_backend_imports_durable_rules() -> None:
    users = [rel(p) for p in modules() if any(n.split(".")[0] in ("durable", "durable_rules_engine")
                                              for n in imports_of(p))]
    assert users and all(u.startswith("advisor/inference/durable/") for u in users), users


def test_engine_neutral_inference_knows_nothing_of_durable() -> None:
    # backends.py is where an engine is chosen and created, so it alone may name the durable package.
    neutral = [p for p in (PACKAGE / "inference").glob("*.py") if p.name != "backends.py"]
    assert "firing.py" in {p.name for p in neutral} and "compiler.py" in {p.name for p in neutral}
    for path in neutral:
        durable = {n for n in imports_of(path) if n.startswith("advisor.inference.durable")
                   or n.split(".")[0] in ("durable", "durable_rules_engine")}
        assert not durable, (rel(path), durable)


def test_only_the_tui_package_imports_textual() -> None:
    users = [rel(p) for p in modules() if any(n.split(".")[0] == "textual" for n in imports_of(p))]
    assert all(u.startswith("advisor/tui/") for u in users), users


def test_renderers_do_not_evaluate() -> None:
    deciders = {"advisor.inference.durable.engine", "advisor.inference.evaluation", "advisor.inference.resolution",
                "advisor.inference.compiler", "advisor.inference.firing"}
    for path in (PACKAGE / "render").glob("*.py"):
        assert not imports_of(path) & deciders, rel(path)


def test_the_core_never_prints() -> None:
    allowed = {"advisor/app/cli.py"}
    for path in modules():
        if rel(path) in allowed or rel(path).startswith(("advisor/tui/", "advisor/render/")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id == "print"]
        assert not calls, f"{rel(path)} prints"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    root = PACKAGE.parent
    result = subprocess.run([ruff, "check", "advisor", "tests", "bench"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_yaml_parses_with_the_pure_python_parser_too() -> None:
    # The reader uses libyaml when present and PyYAML otherwise; the two disagree on some edge cases
    # (e.g. an unquoted '"..."?' inside a flow mapping), so shipped files must be valid for both.
    import yaml

    root = PACKAGE.parent
    for path in sorted([*root.glob("rules/**/*.yaml"), *root.glob("scenarios/*.yaml")]):
        yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def test_the_import_linter_contracts_hold() -> None:
    """The layers of the data flow and who may import durable-rules and Textual, as declared in
    pyproject.toml [tool.importlinter] (a broken contract names the import that breaks it)."""
    import subprocess
    import sys

    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout


def test_the_package_shows_the_stages_of_the_data_flow() -> None:
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert stages == {"sources", "models", "inference", "analysis", "render", "tui", "app", "shared"}
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == [], f"modules outside the stage packages: {loose}"


def test_views_never_reach_for_the_rule_base() -> None:
    """The TUI and the renderers draw the Advice (and the core's plain-data questionnaire); none of them
    imports the rule base or reaches it through an attribute such as `advisor.rulebase`."""
    for path in [*(PACKAGE / "tui").rglob("*.py"), *(PACKAGE / "render").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reached = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "rulebase"]
        assert not reached, f"{rel(path)} reads the rule base at lines {reached}"
        assert "advisor.sources.rulebase" not in imports_of(path), rel(path)


def test_which_verdicts_support_an_option_is_decided_in_one_place() -> None:
    """advisor.models.advice.supports is the one test; no other module lists the supporting kinds."""
    for path in modules():
        if rel(path) == "advisor/models/advice.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert '"require", "recommend"' not in text and '"exclude", "avoid"' not in text, rel(path)
