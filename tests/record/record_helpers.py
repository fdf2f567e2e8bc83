"""Shared by the tests of the record of runs: run the CLI, read the store back."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
from typer.testing import CliRunner

from conftest import ROOT
from landrules.cli import app

Q4 = ROOT / "examples" / "shilong-ledger.csv"
Q1 = ROOT / "examples" / "shilong-ledger-2022Q1.csv"
runner = CliRunner()


def run(*args, store=None, **env):
    env = {"COLUMNS": "200", **env}
    if store is not None:
        env["LANDRULES_STORE"] = str(store)
    return runner.invoke(app, [str(a) for a in args], env=env)


def _environ(store, env) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT / "engine"), "LANDRULES_STORE": str(store), **env}


def run_process(*args, store, timeout=120, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "landrules", *map(str, args)], capture_output=True, text=True,
                          env=_environ(store, env), cwd=ROOT, timeout=timeout)


def start_process(*args, store, **env) -> subprocess.Popen:
    """`landrules ARGS…` started, its output piped (`run_process` without waiting for it)."""
    return subprocess.Popen([sys.executable, "-m", "landrules", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_environ(store, env), cwd=ROOT)


def counts(store) -> dict:
    """What the store holds: run ids, rows per table (read-only, so nothing is changed)."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        return {
            "runs": [r[0] for r in con.execute("SELECT id FROM runs ORDER BY id").fetchall()],
            "run_rows": [r[0] for r in con.execute("SELECT rows FROM runs ORDER BY id").fetchall()],
            "rows": con.execute("SELECT coalesce(sum(n_rows), 0) FROM row_cells").fetchall()[0][0],  # listed or not
            "decisions": con.execute("SELECT count(*) FROM decisions").fetchall()[0][0],
            "texts_of_no_run": con.execute(
                "SELECT count(*) FROM decision_texts WHERE run_id NOT IN (SELECT id FROM runs)").fetchall()[0][0],
        }
    finally:
        con.close()


def decisions(store) -> dict[int, tuple[int, str]]:
    """Each listed run's decisions: (how many, md5 of its JSON records in row order), read-only."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        return {r[0]: (r[1], r[2]) for r in con.execute("""
            SELECT run_id, count(*), md5(string_agg(record, chr(10) ORDER BY row)) FROM decision_records
            WHERE run_id IN (SELECT id FROM runs) GROUP BY run_id ORDER BY run_id""").fetchall()}
    finally:
        con.close()


def record_two_quarters(store):
    first = run("decide", Q4, "--as-of", "2021-10-01", "--record", store=store)
    second = run("decide", Q1, "--as-of", "2022-01-01", "--record", store=store)
    assert first.exit_code == 1 and second.exit_code == 1, (first.output, second.output)  # the sample has 2 invalid rows
    return first, second
