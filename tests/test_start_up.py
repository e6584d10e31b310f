"""What a one-file `advisor evaluate --format json` loads at start-up, checked in fresh processes (this test
process has imported everything already). No timings here: figures are in bench/batch_bench.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fresh(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    return done.stdout


def test_a_json_evaluation_imports_no_terminal_ui_pool_or_baseline_modules(tmp_path: Path) -> None:
    scenario = sorted((ROOT / "scenarios").glob("*.yaml"))[0]
    code = (
        "import sys, io, contextlib\n"
        "from advisor.app.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    try: main(['evaluate', {str(scenario)!r}, '--format', 'json'])\n"
        "    except SystemExit as exc: assert not exc.code, exc.code\n"
        "import json; json.loads(out.getvalue())\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    # the second process reads the compiled rule base from the cache the first one wrote
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_NO_CACHE"} | {"ADVISOR_CACHE_DIR": str(tmp_path)}
    _fresh(code, env)
    loaded = set(json.loads(_fresh(code, env).splitlines()[-1]))
    for heavy in ("rich", "textual", "jinja2", "multiprocessing", "concurrent.futures", "advisor.analysis.baseline",
                  "advisor.tui"):
        assert heavy not in loaded, f"{heavy} is imported by a one-file JSON evaluation"
    # with a warm cache, one report is written from plain data: no pydantic validator or serializer is built
    # (building one imports the plugin loader), neither for the scenario (plain_scenario) nor for the advice
    assert "pydantic.plugin._loader" not in loaded


def test_condition_models_show_their_keys_before_first_validation() -> None:
    # conditions are completed lazily (no model_rebuild at import): the "did you mean" hints must still see
    # NotOf's key as written in files ("not"), not its Python name
    code = (
        "from advisor.models.conditions import NotOf, AllOf\n"
        "from advisor.sources.schema_hints import allowed_keys_at\n"
        "print(allowed_keys_at(NotOf, (), {}), allowed_keys_at(AllOf, (), {}))\n"
    )
    assert _fresh(code).split() == ["['not']", "['all']"]


def test_schemas_describe_fields_from_their_docstrings() -> None:
    code = (
        "import json\n"
        "from advisor.sources.rulebase import load_rulebase\n"
        "from advisor.sources.locations import bundled_rules_dir\n"
        "from advisor.sources.schema import schema_files\n"
        "schema = json.loads(schema_files(load_rulebase(bundled_rules_dir()))['decision.schema.json'])\n"
        "print(schema['$defs']['NotOf']['properties']['not']['description'])\n"
        "print(schema['properties']['fallback']['description'])\n"
    )
    lines = _fresh(code).splitlines()
    assert lines == ["The condition does not hold (also true when its facts are unknown).",
                     "Mandatory: what to say when nothing decides."]


def test_the_launcher_runs_commands_with_the_garbage_collector_on() -> None:
    # launch.main pauses the collector for start-up only: by the time a file is evaluated it runs again
    scenario = sorted((ROOT / "scenarios").glob("*.yaml"))[0]
    code = (
        "import gc, sys\n"
        "import advisor.app.batch as batch\n"
        "evaluate = batch.evaluate_file\n"
        "def spy(advisor, path):\n"
        "    print('collector on while evaluating:', gc.isenabled(), file=sys.stderr)\n"
        "    print('start-up objects frozen:', gc.get_freeze_count() > 0, file=sys.stderr)\n"
        "    return evaluate(advisor, path)\n"
        "batch.evaluate_file = spy\n"
        f"sys.argv = ['advisor', 'evaluate', {str(scenario)!r}, '--format', 'json']\n"
        "from advisor.app.launch import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('collector on at exit:', gc.isenabled(), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scenario"]["id"]
    assert "collector on while evaluating: True" in done.stderr
    assert "collector on at exit: True" in done.stderr
    # the rule base made at start-up is moved out of the collector's reach, not collected over and over
    assert "start-up objects frozen: True" in done.stderr
