"""The compiled rule base cache (advisor/inference/rules_cache.py): a hit gives the same advice as compiling,
a changed rule file is a miss, and a corrupt, truncated or foreign cache file is a miss that is replaced,
never a crash. Every test points the cache at its own temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.inference import evaluation, rules_cache
from advisor.inference.evaluation import Advisor, PreparedRules
from advisor.models.advice import ScenarioRef

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "rules_core"
SCENARIO = next(iter(sorted((ROOT / "scenarios").glob("*.yaml"))))


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(folder))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    return folder


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "rules"))


def advice_json(rules_dir: Path) -> str:
    adv = Advisor.from_folder(rules_dir, "reference")
    try:
        answers = adv.check({"size_kb": 1025, "replay": True})
        return adv.advise(answers, ScenarioRef(id="s", title="s")).model_dump_json()
    finally:
        adv.close()


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pickle")) if cache.is_dir() else []


def test_a_hit_gives_the_advice_compiling_gives(cache: Path, rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = advice_json(rules)
    assert len(entries(cache)) == 1

    def no_loading(folder: Path) -> None:
        raise AssertionError("the rules were loaded again instead of read from the cache")

    monkeypatch.setattr(evaluation, "load_rulebase", no_loading)
    assert advice_json(rules) == first
    assert len(entries(cache)) == 1


def test_a_changed_rule_file_is_a_new_key(cache: Path, rules: Path) -> None:
    before = rules_cache.cache_key(rules)
    advice_json(rules)
    some_file = next(iter(sorted(rules.rglob("*.yaml"))))
    some_file.write_text(some_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert rules_cache.cache_key(rules) != before
    advice_json(rules)
    assert len(entries(cache)) == 2
    (rules / "notes.txt").write_text("not rules", encoding="utf-8")  # a new entry changes the notices
    assert rules_cache.cache_key(rules) not in (before, None)


def test_the_key_follows_every_entry_below_the_rules_folder(rules: Path) -> None:
    # nested files by content, other entries by name; a folder reached through a link is listed, not read
    keys = {rules_cache.cache_key(rules)}
    nested = rules / "extra" / "deeper"
    nested.mkdir(parents=True)
    keys.add(rules_cache.cache_key(rules))
    (nested / "more.yaml").write_text("a: 1\n", encoding="utf-8")
    keys.add(rules_cache.cache_key(rules))
    (nested / "more.yaml").write_text("a: 2\n", encoding="utf-8")
    keys.add(rules_cache.cache_key(rules))
    (nested / "more.yaml").rename(nested / "renamed.yaml")
    keys.add(rules_cache.cache_key(rules))
    (rules / "linked").symlink_to(nested, target_is_directory=True)
    keys.add(rules_cache.cache_key(rules))
    assert None not in keys and len(keys) == 6
    assert rules_cache.cache_key(rules) == rules_cache.cache_key(rules)  # and it is stable
    (nested / "renamed.yaml").chmod(0)
    if not os.access(nested / "renamed.yaml", os.R_OK):  # root reads anything
        assert rules_cache.cache_key(rules) is None  # unreadable: no key, no cache


def test_a_package_that_cannot_be_listed_means_no_cache(cache: Path, rules: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # e.g. the advisor run from a zip archive: its sources cannot be listed, so no key can prove a cache fresh
    monkeypatch.setattr(rules_cache.advisor, "__file__", str(cache / "archive.zip" / "advisor" / "__init__.py"))
    assert rules_cache.cache_key(rules) is None
    assert advice_json(rules)  # the rules are compiled all the same, and nothing is cached
    assert entries(cache) == []


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other format", "wrong object"])
def test_a_damaged_cache_file_is_a_miss_and_is_replaced(cache: Path, rules: Path, damage: str) -> None:
    expected = advice_json(rules)
    (entry,) = entries(cache)
    good = entry.read_bytes()
    damaged = {
        "garbage": rules_cache.FORMAT + os.urandom(4096),
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "other format": b"advisor-rules-cache 0\n" + good[len(rules_cache.FORMAT) :],
        "wrong object": rules_cache.FORMAT + rules_cache.pickle.dumps({"not": "prepared rules"}),
    }[damage]
    entry.write_bytes(damaged)
    assert advice_json(rules) == expected
    assert entry.read_bytes() == good  # rewritten whole
    assert isinstance(rules_cache._read(entry, PreparedRules), PreparedRules)


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch '{self.marker}'",))


def test_a_planted_pickle_that_would_run_code_is_a_miss_and_runs_nothing(
    cache: Path, rules: Path, tmp_path: Path
) -> None:
    expected = advice_json(rules)
    (entry,) = entries(cache)
    marker = tmp_path / "ran"
    entry.write_bytes(rules_cache.FORMAT + rules_cache.pickle.dumps(_Planted(marker)))
    assert rules_cache._read(entry, PreparedRules) is None
    assert advice_json(rules) == expected
    assert not marker.exists()
    refused = [
        ("os", "system"),
        ("builtins", "eval"),
        ("advisor.shared.atomic_write", "write_atomic"),
        ("advisor.models.decision", "Decision.model_validate"),
        ("antigravity", "x"),
    ]
    for module, name in refused:
        with pytest.raises(rules_cache.pickle.UnpicklingError):
            rules_cache._RulesUnpickler(__import__("io").BytesIO(b"")).find_class(module, name)


def test_an_unwritable_cache_folder_is_skipped(tmp_path: Path, rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(blocker / "cache"))  # a folder under a file cannot exist
    assert advice_json(rules) == advice_json(rules)


def test_no_cache_writes_nothing(cache: Path, rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    advice_json(rules)
    assert not cache.exists()


def test_concurrent_processes_share_one_whole_cache_file(cache: Path) -> None:
    command = [sys.executable, "-m", "advisor", "evaluate", str(SCENARIO), "--format", "json"]
    env = {**os.environ, "ADVISOR_CACHE_DIR": str(cache)}
    env.pop("ADVISOR_NO_CACHE", None)
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    (entry,) = entries(cache)
    assert isinstance(rules_cache._read(entry, PreparedRules), PreparedRules)
    warm = subprocess.run(command, capture_output=True, env=env, timeout=300)
    no_cache = subprocess.run(command, capture_output=True, env={**env, "ADVISOR_NO_CACHE": "1"}, timeout=300)
    assert warm.stdout == no_cache.stdout == outputs[0][0]
