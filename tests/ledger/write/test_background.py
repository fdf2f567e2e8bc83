"""Writing on a thread of its own and reading ahead: same bytes, errors raised in place, no leftovers."""

import threading

import pytest

from landrules.ledger.write.background import BackgroundWriter, ahead
from landrules.ledger.write.base import OutputError


def test_ahead_yields_every_item_in_order():
    assert list(ahead(iter(range(1000)), depth=2)) == list(range(1000))


def test_ahead_raises_the_producers_error_in_its_place():
    def items():
        yield 1
        yield 2
        raise ValueError("row 3 is bad")

    got = []
    with pytest.raises(ValueError, match="row 3 is bad"):
        for item in ahead(items()):
            got.append(item)
    assert got == [1, 2]


def test_ahead_stops_producing_when_the_consumer_stops():
    produced = []

    def items():
        for i in range(10_000):
            produced.append(i)
            yield i

    stream = ahead(items(), depth=1)
    assert next(stream) == 0
    stream.close()  # the consumer gives up
    assert len(produced) <= 3
    assert not [t for t in threading.enumerate() if t.name == "landrules-reader"]


def test_ahead_starts_producing_before_the_first_item_is_asked_for():
    started = threading.Event()

    def items():
        started.set()
        yield "first"

    with ahead(items()) as stream:
        assert started.wait(5)  # made while the consumer does something else
        assert list(stream) == ["first"]


def test_ahead_closed_before_any_item_stops_its_thread():
    def items():
        i = 0
        while True:
            yield i
            i += 1

    with ahead(items(), depth=1):
        pass  # the consumer fails before asking (e.g. deciding the first chunk raised)
    assert not [t for t in threading.enumerate() if t.name == "landrules-reader"]


def test_the_chunk_loop_stopped_at_its_first_chunk_leaves_no_reading_thread(tmp_path):
    import datetime as dt

    from conftest import POLICY, RULES
    from landrules.decide.chunks import ChunkLoop
    from landrules.decide.options import RunOptions
    from landrules.rulebook.load import load_rulebook

    ledger = tmp_path / "ledger.csv"
    ledger.write_text("宗地编号,面积（亩）\n" + "".join(f"SL-{i},1\n" for i in range(30)), encoding="utf-8")
    loop = ChunkLoop.open(ledger, RunOptions(load_rulebook(RULES, POLICY), dt.date(2021, 10, 1), chunk_rows=10))
    chunks = loop.prepared(read_ahead=True)
    assert next(chunks).parsed.n == 10
    chunks.close()
    assert not [t for t in threading.enumerate() if t.name == "landrules-reader"]


class Recording:
    """A stand-in DecisionWriter: records chunks, fails on the chunk it is told to."""

    def __init__(self, path, fail_on=None):
        self.path, self.fail_on = path, fail_on
        self.chunks, self.state = [], "open"

    def write(self, inputs, flat, jsonl, parsed=None):
        if inputs == self.fail_on:
            self.state = "aborted"  # as DecisionWriter.write does
            raise OutputError("无法写出 out.csv：磁盘空间不足（未写出输出文件）")
        self.chunks.append(inputs)

    def commit(self, summary=None):
        self.state = "committed"

    def abort(self):
        if self.state == "open":
            self.state = "aborted"


def test_background_writer_writes_every_chunk_in_order_then_commits(tmp_path):
    inner = Recording(tmp_path / "out.csv")
    writer = BackgroundWriter(inner)
    for k in range(50):
        writer.write(k, None, [])
    writer.commit()
    assert inner.chunks == list(range(50)) and inner.state == "committed"


def test_a_failed_write_is_raised_in_the_caller_and_nothing_is_committed(tmp_path):
    inner = Recording(tmp_path / "out.csv", fail_on=3)
    writer = BackgroundWriter(inner)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        for k in range(50):
            writer.write(k, None, [])
        writer.commit()
    writer.abort()
    assert inner.chunks == [0, 1, 2] and inner.state == "aborted"


def test_abort_leaves_waiting_chunks_unwritten(tmp_path):
    inner = Recording(tmp_path / "out.csv")
    gate = threading.Event()
    write = inner.write
    inner.write = lambda *a: (gate.wait(), write(*a))
    writer = BackgroundWriter(inner, depth=1)
    writer.write(0, None, [])
    writer.write(1, None, [])  # waits in the queue while chunk 0 is held
    gate.set()
    writer.abort()
    assert inner.state == "aborted" and inner.chunks in ([0], [0, 1])
