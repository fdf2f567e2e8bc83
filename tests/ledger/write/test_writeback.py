"""The output's disk write started a stretch at a time (ledger/write/writeback.py)."""

from __future__ import annotations

import os

import pytest

from landrules.ledger.write import writeback
from landrules.ledger.write.writeback import Writeback

needs_fadvise = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="posix_fadvise is Linux's")


@pytest.fixture
def advised(monkeypatch):
    """The posix_fadvise calls made (fd, offset, length, advice), the real call still made."""
    calls = []
    real = os.posix_fadvise

    def spy(fd, offset, length, advice):
        calls.append((offset, length, advice))
        return real(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    return calls


@needs_fadvise
def test_the_write_of_each_stretch_is_started_once_it_is_written(tmp_path, advised):
    path = tmp_path / "out.part"
    with open(path, "wb") as handle:
        back = Writeback(path, stretch=1000)
        handle.write(b"x" * 600)
        handle.flush()
        back.written()
        assert advised == []  # not a stretch yet
        handle.write(b"x" * 600)
        handle.flush()
        back.written()
        assert advised == [(0, 1200, os.POSIX_FADV_DONTNEED)]
        handle.write(b"y" * 1500)
        handle.flush()
        back.written()
        assert advised[1:] == [(1200, 1500, os.POSIX_FADV_DONTNEED)]  # from where the last one ended
        back.close()
    assert path.read_bytes() == b"x" * 1200 + b"y" * 1500


def test_without_posix_fadvise_nothing_is_started_and_nothing_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(writeback, "_ADVICE", None)
    path = tmp_path / "out.part"
    path.write_bytes(b"z" * 5000)
    back = Writeback(path, stretch=10)
    back.written()
    assert back.started == 0 and back._fd is None


@needs_fadvise
def test_an_error_turns_it_off_and_closes_its_descriptor(tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "posix_fadvise", refuse)
    path = tmp_path / "out.part"
    path.write_bytes(b"z" * 5000)
    back = Writeback(path, stretch=10)
    back.written()  # no error: the flush at the end writes it all
    assert back._fd is None and back._off
    back.written()
    assert back._fd is None


@needs_fadvise
def test_a_csv_output_starts_its_disk_write_while_written_and_leaves_no_descriptor(tmp_path, advised, monkeypatch):
    import pandas as pd

    from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS
    from landrules.ledger.write.formats import CsvWriter

    monkeypatch.setattr(writeback, "STRETCH", 1)
    writer = CsvWriter(tmp_path / "d.csv", ["宗地编号"])
    for chunk in range(3):
        inputs = pd.DataFrame({0: [f"P{chunk}-{i}" for i in range(400)]})  # more than the handle's buffer
        flat = pd.DataFrame({c: [""] * 400 for c in (*DECISION_COLUMNS, *EXTRA_COLUMNS)})
        writer.write(inputs, flat, [])
    writer.commit()
    assert len(advised) == 3  # once a chunk, each from where the last one ended
    assert [offset for offset, _, _ in advised] == [0, sum(advised[0][:2]), sum(advised[1][:2])]
    text = (tmp_path / "d.csv").read_bytes().decode("utf-8-sig")
    assert text.count("\r\n") == 1 + 3 * 400 and text.count("P2-399") == 1
    if os.path.isdir("/proc/self/fd"):  # no descriptor left on the output or its temp file
        held = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                held.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:  # the listing's own descriptor, gone
                pass
        assert not [target for target in held if target.startswith(str(tmp_path))]
