"""A batch writes each report from its pieces (os.writev, at most IOV_MAX at a time); the file holds exactly the
pieces one after the other, whatever their number, and after a short write too."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from advisor.app import batch_reports


def test_any_number_of_pieces_is_written_whole(tmp_path: Path) -> None:
    for count in (1, 2, 1023, 1024, 1025, 2500):
        chunks = [f"{i:05d},".encode() for i in range(count)]
        target = tmp_path / f"r{count}"
        batch_reports._write_new(str(target), chunks)
        assert target.read_bytes() == b"".join(chunks)


def test_a_short_write_is_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not batch_reports._IOV_MAX:
        pytest.skip("no os.writev here")
    real = os.writev

    def short(fd: int, buffers: Any) -> int:
        return real(fd, [bytes(buffers[0])[:3]])  # three bytes of the first piece only

    monkeypatch.setattr(batch_reports.os, "writev", short)
    chunks = [b"abcdef", b"ghij", b"klm"] * 500
    target = tmp_path / "r"
    batch_reports._write_new(str(target), chunks)
    assert target.read_bytes() == b"".join(chunks)


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "r"
    target.write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        batch_reports._write_new(str(target), [b"a", b"b"])
    assert target.read_bytes() == b"kept"
