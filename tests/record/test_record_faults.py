"""Faults of the record of runs (contract §7): each test looks at the store afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from record_helpers import Q1, Q4, counts, decisions, run, run_process, start_process

from conftest import ROOT

HERE = os.path.dirname(__file__)
pytestmark = pytest.mark.long_file  # recorders in child processes, killed or raced


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory):
    """A 6 000-row synthetic ledger: a recorder of 500-row chunks stays in its transaction long enough to kill."""
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import ledger_frame

    path = tmp_path_factory.mktemp("ledger") / "big.csv"
    ledger_frame(6000).to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture
def slow_recorder(tmp_path):
    """start(store, ledger, chunk_rows, hold_at) -> a recorder process that holds the store after
    chunk `hold_at` until `open_gate(proc)`; any left running are killed at the end of the test."""
    started = []

    def start(store, ledger, chunk_rows=500, hold_at=1) -> subprocess.Popen:
        gate = tmp_path / f"gate-{len(started)}"
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'engine'}{os.pathsep}{HERE}"}
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "slow_recorder.py"), str(store), str(ledger),
                                 str(chunk_rows), str(hold_at), str(gate)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        proc.gate = gate
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def open_gate(proc: subprocess.Popen) -> None:
    proc.gate.touch()


def read_until(stream, text: str) -> list[str]:
    """The lines of `stream` up to and including the first that holds `text` (all, if none does)."""
    lines = []
    for line in iter(stream.readline, ""):
        lines.append(line)
        if text in line:
            break
    return lines


def wait_for(proc: subprocess.Popen, prefix: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"recorder ended ({proc.returncode}) before {prefix!r}: {proc.stderr.read()[-2000:]}")
    raise AssertionError(f"no {prefix!r} within {timeout} s")


@pytest.mark.slow  # a recorder in a child process, killed
def test_a_recorder_killed_mid_run_leaves_no_trace(tmp_path, big_ledger, slow_recorder):
    store = tmp_path / "store.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    before, recorded = counts(store), decisions(store)
    proc = slow_recorder(store, big_ledger, hold_at=3)
    wait_for(proc, "chunk 3")  # three chunks (1 500 rows) are in the open transaction
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = counts(store)
    assert after == before == {"runs": [1], "run_rows": [40], "rows": 40, "decisions": 40, "texts_of_no_run": 0}
    assert decisions(store) == recorded  # run 1's decisions, record for record
    listed = run("runs", "--json", store=store)
    assert listed.exit_code == 0 and '"id": 1' in listed.stdout and '"id": 2' not in listed.stdout
    # the store is still usable: the next run records whole
    assert run("decide", Q1, "--as-of", "2022-01-01", "--record", store=store).exit_code == 1
    assert counts(store)["run_rows"] == [40, 40]


@pytest.mark.slow  # recorders in child processes
def test_a_second_recorder_waits_and_says_so_then_both_are_recorded(tmp_path, big_ledger, slow_recorder):
    store = tmp_path / "store.duckdb"
    proc = slow_recorder(store, big_ledger, chunk_rows=1000)
    wait_for(proc, "chunk 1")
    second = start_process("decide", Q4, "--as-of", "2021-10-01", "--record", store=store)
    try:
        said = read_until(second.stderr, "正被另一个进程使用")  # it met the lock and waits …
    finally:
        open_gate(proc)  # … then the first recorder goes on
    stderr = "".join(said) + second.communicate(timeout=120)[1]
    assert wait_for(proc, "committed").strip() == "committed 1"
    proc.wait(timeout=30)
    assert second.returncode == 1, stderr
    waiting = [line for line in stderr.splitlines() if "正被另一个进程使用" in line]
    assert len(waiting) == 1 and "等待" in waiting[0]
    assert "已记录第 2 期" in stderr
    assert counts(store) == {"runs": [1, 2], "run_rows": [6000, 40], "rows": 6040, "decisions": 6040, "texts_of_no_run": 0}
    alone = tmp_path / "alone.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=alone).exit_code == 1
    assert decisions(store)[2] == decisions(alone)[1]  # the waiting recorder's run is as if it had been alone


@pytest.mark.slow  # a recorder in a child process
def test_the_workbench_waits_for_a_recorder_then_records(tmp_path, big_ledger, monkeypatch, rulebook, slow_recorder):
    """Two recorders at once, the workbench and a command line: the workbench's 记录本期台账
    waits for the store, then both runs are there, whole."""
    from web_helpers import Officer, decided, make_app

    store = tmp_path / "store.duckdb"
    monkeypatch.setenv("LANDRULES_STORE", str(store))
    (tmp_path / "web").mkdir()
    with Officer(make_app(rulebook, temp_root=tmp_path / "web")) as client:
        decided(client)
        proc = slow_recorder(store, big_ledger, chunk_rows=1000)
        wait_for(proc, "chunk 1")
        gate = threading.Timer(1.2, open_gate, (proc,))  # the command line's run goes on 1.2 s after the workbench asks
        gate.start()
        started = time.monotonic()
        page = client.post("/runs/record", data={"label": "工作台"})
        waited = time.monotonic() - started
        gate.join()
        assert wait_for(proc, "committed").strip() == "committed 1"
        proc.wait(timeout=30)
        assert page.url.path == "/runs/2", page.text[-2000:]
        assert waited > 1.0  # it waited for the command line's run (held 1.2 s, then five chunks more)
        listed = client.get("/runs").text
        assert "慢速" in listed and "工作台" in listed
    assert counts(store) == {"runs": [1, 2], "run_rows": [6000, 40], "rows": 6040, "decisions": 6040, "texts_of_no_run": 0}
    alone = tmp_path / "alone.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=alone).exit_code == 1
    assert decisions(store)[2] == decisions(alone)[1]


@pytest.mark.slow  # a recorder in a child process
def test_the_workbench_that_cannot_wait_says_so_and_records_nothing(tmp_path, big_ledger, monkeypatch, rulebook, slow_recorder):
    from landrules.web.runs import pages
    from web_helpers import Officer, decided, make_app

    store = tmp_path / "store.duckdb"
    monkeypatch.setenv("LANDRULES_STORE", str(store))
    monkeypatch.setattr(pages, "RECORD_WAIT", 0.5)
    (tmp_path / "web").mkdir()
    with Officer(make_app(rulebook, temp_root=tmp_path / "web")) as client:
        decided(client)
        proc = slow_recorder(store, big_ledger, chunk_rows=1000)
        wait_for(proc, "chunk 1")
        page = client.post("/runs/record", data={"label": "工作台"})
        open_gate(proc)
        assert page.status_code == 503
        assert "正被另一个进程使用" in page.text and "未作任何改动" in page.text
        wait_for(proc, "committed")
        proc.wait(timeout=30)
    assert counts(store) == {"runs": [1], "run_rows": [6000], "rows": 6000, "decisions": 6000, "texts_of_no_run": 0}


@pytest.mark.slow  # recorders in child processes
def test_a_second_recorder_that_cannot_wait_fails_cleanly(tmp_path, big_ledger, slow_recorder):
    store = tmp_path / "store.duckdb"
    out = tmp_path / "out.csv"
    proc = slow_recorder(store, big_ledger, chunk_rows=1000)
    wait_for(proc, "chunk 1")
    second = run_process("decide", Q4, "--as-of", "2021-10-01", "--record", "-o", out, store=store, LANDRULES_STORE_WAIT="1")
    open_gate(proc)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines()[-1].startswith("landrules: 记录库") and "放弃" in second.stderr
    assert not out.exists()  # nothing decided, nothing written
    wait_for(proc, "committed")
    proc.wait(timeout=30)
    assert counts(store) == {"runs": [1], "run_rows": [6000], "rows": 6000, "decisions": 6000, "texts_of_no_run": 0}
    assert list(decisions(store)) == [1]


def test_a_store_from_a_newer_landrules_is_refused_and_left_alone(tmp_path):
    store = tmp_path / "store.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    import duckdb

    con = duckdb.connect(str(store))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'").fetchall()
    con.close()
    size, before, recorded = store.stat().st_size, counts(store), decisions(store)
    for args in (("runs",), ("decide", Q1, "--as-of", "2022-01-01", "--record"), ("report", "--run", "1", "-o", tmp_path / "x.html")):
        result = run(*args, store=store)  # in this process: the refusal is the command's, not the process's
        assert result.exit_code == 2, result.output
        message = [line for line in result.stderr.splitlines() if line.startswith("landrules:")]
        assert len(message) == 1 and "较新版本" in message[0] and "99" in message[0]
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT value FROM meta").fetchall()[0][0] == "99"
    assert con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == 1
    con.close()
    assert store.stat().st_size == size
    assert counts(store) == before and decisions(store) == recorded


@pytest.mark.slow  # commands in child processes
def test_a_damaged_store_is_one_line_and_never_overwritten(tmp_path):
    store = tmp_path / "store.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    data = bytearray(store.read_bytes())
    data[0:4096] = b"\x00" * 4096  # the file header gone
    data[4096:8192] = os.urandom(4096)
    store.write_bytes(bytes(data))
    for args in (("runs",), ("decide", Q1, "--as-of", "2022-01-01", "--record"), ("progress",)):
        result = run_process(*args, store=store)
        assert result.returncode == 2, result.stderr
        message = [line for line in result.stderr.splitlines() if line.startswith("landrules:")]
        assert len(message) == 1 and "无法打开" in message[0] and "未作任何改动" in message[0]
        assert "Traceback" not in result.stderr
    assert store.read_bytes() == bytes(data)


def test_not_a_database_is_refused_untouched(tmp_path):
    store = tmp_path / "notes.duckdb"
    store.write_text("这不是数据库\n" * 100, encoding="utf-8")
    result = run_process("runs", store=store)
    assert result.returncode == 2 and "无法打开" in result.stderr
    assert store.read_text(encoding="utf-8") == "这不是数据库\n" * 100


def test_a_write_that_fails_mid_run_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    """Disk full, simulated: after the chunk's rows are in the transaction, the next write fails
    as a full disk makes DuckDB fail."""
    import duckdb

    from landrules.record import recorder as recorder_module

    store = tmp_path / "store.duckdb"
    assert run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store).exit_code == 1
    before, recorded = counts(store), decisions(store)
    real_add = recorder_module.RunRecorder.add
    calls = []

    def failing_add(self, frame, decided):
        real_add(self, frame, decided)
        self._wait()  # the chunk's insert, done on the recorder's thread
        calls.append(self.con.execute("SELECT sum(n_rows) FROM row_cells").fetchall()[0][0])
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(recorder_module.RunRecorder, "add", failing_add)
    out = tmp_path / "out.csv"
    result = run("decide", Q1, "--as-of", "2022-01-01", "--record", "-o", out, "--engine", "vectorized", store=store)
    assert result.exit_code == 2
    assert "本期未记录（记录库保持原样）" in result.output and "No space left" in result.output
    assert not out.exists()
    assert calls == [80]  # the failed run's 40 rows were in the transaction …
    assert counts(store) == before  # … and none of them stayed
    assert decisions(store) == recorded
