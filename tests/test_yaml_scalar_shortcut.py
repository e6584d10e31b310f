"""yaml_source resolves a plain scalar whose first character cannot start a number as text at once; that must
give exactly what the full resolution gives (values, YAML 1.1 notices, diagnostics), whatever the scalar.
Reading a file asks for its size (plus a byte), not the 2 MiB limit: a file that grew since is still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.shared.diagnostics import InvalidInput
from advisor.sources import yaml_source


class _Everything:
    def __contains__(self, _item: object) -> bool:
        return True


def outcome(text: str) -> tuple[Any, ...]:
    try:
        doc = yaml_source.parse_yaml_text(text, Path("x.yaml"), "x.yaml")
    except InvalidInput as exc:
        return ("invalid", [str(d) for d in exc.diagnostics])
    return ("ok", repr(doc.data), doc.notices)


PIECES = st.sampled_from(["0", "1", "9", "-", "+", ".", "e", "E", "x", "o", "a", "Y", "y", "n", "_", ",", "inf", "nan",
                          "Inf", "NaN", "yes", "no", "On", "OFF", "true", "null", "~", "é", " ", "0x", "0o", "1e5"])


@given(st.lists(PIECES, min_size=1, max_size=8), st.lists(PIECES, min_size=1, max_size=4))
def test_the_text_shortcut_changes_nothing(value: list[str], key: list[str]) -> None:
    text = f"{''.join(key).strip() or 'k'}: {''.join(value)}\nlist: [{''.join(value)}, {''.join(reversed(value))}]\n"
    fast = outcome(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_source, "_NUMBER_START", _Everything())  # every scalar takes the full resolution
        full = outcome(text)
    assert fast == full


def test_a_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: t\nanswers:\n  a: 1\n" + "# padding\n" * 5000, encoding="utf-8")
    assert yaml_source.read_yaml_file(path).data == {"title": "t", "answers": {"a": 1}}


def test_a_file_that_grows_after_its_size_is_read_is_read_whole(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("title: t\n", encoding="utf-8")
    real_stat = yaml_source.os.stat

    def stat_then_grow(target: Any) -> Any:
        info = real_stat(target)
        with open(path, "a", encoding="utf-8") as more:
            more.write("answers:\n  a: 1\n")
        return info

    monkeypatch.setattr(yaml_source.os, "stat", stat_then_grow)
    assert yaml_source.read_yaml_file(path).data == {"title": "t", "answers": {"a": 1}}


def test_a_folder_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        yaml_source.read_yaml_file(tmp_path)
    assert caught.value.diagnostics[0].kind == "not_a_file"
