"""Wheel build hook: the modules on the hot path of an evaluation compiled to C with mypyc.

Only regular wheels are compiled. An editable install stays pure Python, so an edit to a source file is what
runs next. When compiling cannot be done (no C compiler, a mypy error, an interpreter mypyc does not support),
the wheel is built pure Python with a warning: both give byte-identical advice, the compiled one faster.

Environment:
  ADVISOR_PURE_PYTHON=1       build a pure-Python wheel without trying to compile;
  ADVISOR_REQUIRE_COMPILED=1  fail the build instead of falling back (CI sets it, so a module that stops
                              compiling is seen, not shipped slower in silence).

The modules and mypy's options are in pyproject.toml ([tool.hatch.build.targets.wheel.hooks.custom]; the suite
type-checks the same modules with the same options, tests/test_compiled_build.py). They are compiled in a
temporary copy of the package, so no build output lands in the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "advisor"
SETUP_PY = """\
import sys
from setuptools import setup
from mypyc.build import mypycify

modules = sys.argv[sys.argv.index("--modules") + 1:]
del sys.argv[sys.argv.index("--modules"):]
setup(name="advisor-compiled", ext_modules=mypycify([*{mypy_args!r}, *modules], opt_level="3"))
"""
OUTPUT_TAIL = 40  # lines of the compiler's output shown when it fails


def _flag(name: str) -> bool:
    """An environment switch: set to anything but empty or 0 (as ADVISOR_NO_CACHE)."""
    return os.environ.get(name, "") not in ("", "0")


class CompileFailed(RuntimeError):
    """mypyc or the C compiler stopped; the message ends with the tail of their output."""


class CompiledModulesHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._work: Path | None = None
        if self.target_name != "wheel" or version == "editable":
            return
        if _flag("ADVISOR_PURE_PYTHON"):
            self.app.display_info("ADVISOR_PURE_PYTHON is set: building a pure-Python wheel")
            return
        modules, mypy_args = self._modules(), self._mypy_args()
        try:
            compiled = self._compile(modules, mypy_args)
        except (CompileFailed, OSError) as failure:
            self._remove_work()
            if _flag("ADVISOR_REQUIRE_COMPILED"):
                raise
            self.app.display_warning(
                f"could not compile {len(modules)} modules with mypyc; building a pure-Python wheel "
                f"(same advice, slower):\n{failure}")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["force_include"].update(compiled)
        self.app.display_info(f"compiled with mypyc: {', '.join(modules)}")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        self._remove_work()

    def _remove_work(self) -> None:
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def _modules(self) -> list[str]:
        modules = self.config.get("modules", [])
        if not isinstance(modules, list) or not all(isinstance(m, str) and m for m in modules):
            raise ValueError("[tool.hatch.build.targets.wheel.hooks.custom] modules must be a list of file paths")
        missing = [m for m in modules if not (Path(self.root) / m).is_file()]
        if missing:
            raise ValueError(f"modules to compile not found: {', '.join(missing)}")
        return modules

    def _mypy_args(self) -> list[str]:
        args = self.config.get("mypy-args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) and a for a in args):
            raise ValueError("[tool.hatch.build.targets.wheel.hooks.custom] mypy-args must be a list of options")
        return args

    def _compile(self, modules: list[str], mypy_args: list[str]) -> dict[str, str]:
        """Compile a copy of the package; return {built file: its path in the wheel}."""
        self._work = Path(tempfile.mkdtemp(prefix="advisor-mypyc-"))
        shutil.copytree(Path(self.root) / PACKAGE, self._work / PACKAGE,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "_bundled"))
        (self._work / "setup.py").write_text(SETUP_PY.format(mypy_args=mypy_args), encoding="utf-8")
        run = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace", "--modules", *modules],
                             cwd=self._work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             check=False)
        if run.returncode:
            raise CompileFailed("\n".join(run.stdout.splitlines()[-OUTPUT_TAIL:]))
        # (build/ holds setuptools' intermediate copies; --inplace put the modules beside their sources)
        built = {str(p): p.relative_to(self._work).as_posix() for p in sorted(self._work.rglob("*"))
                 if p.suffix in (".so", ".pyd") and p.relative_to(self._work).parts[0] != "build"}
        expected = {Path(m).with_suffix("").as_posix() for m in modules}
        found = {rel.split(".")[0] for rel in built.values()}
        if not expected <= found:
            raise CompileFailed(f"mypyc built no extension for: {', '.join(sorted(expected - found))}")
        return built
