"""The recorder's DuckDB settings: set for the run's inserts, given back after it, whatever the end."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from landrules.record.recorder import RunInfo, RunRecorder
from landrules.record.store import Store

RUN_SETTINGS = ("threads", "write_buffer_row_group_count", "checkpoint_threshold", "disabled_compression_methods")


def _has_dict_fsst() -> bool:
    """Whether this DuckDB has the dict_fsst compression (2.0 on); an older one's run disables zstd alone."""
    con = duckdb.connect()
    try:
        con.execute("SET disabled_compression_methods = 'dict_fsst'")
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()


def _settings(con) -> dict:
    return {name: con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0] for name in RUN_SETTINGS}


@pytest.mark.parametrize("end", ["finish", "abort"])
def test_a_run_stores_its_text_without_dict_fsst_and_gives_the_settings_back(tmp_path, rulebook, end):
    ledger = tmp_path / "q.csv"
    ledger.write_text("宗地编号\nSL-1\n", encoding="utf-8")
    with Store.open(tmp_path / "store.duckdb") as store:
        before = _settings(store.con)
        recorder = RunRecorder(store, RunInfo("2021Q4", dt.date(2021, 12, 31), ledger, ["宗地编号"]), rulebook)
        recorder.begin()
        during = _settings(store.con)
        recorder.finish() if end == "finish" else recorder.abort()
        assert _settings(store.con) == before
        runs = store.con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
    assert runs == (1 if end == "finish" else 0)
    assert during["threads"] == 1 and during["write_buffer_row_group_count"] == 1
    assert set(during["disabled_compression_methods"].lower().split(",")) >= ({"zstd", "dict_fsst"} if _has_dict_fsst() else {"zstd"})
    assert "dict_fsst" not in before["disabled_compression_methods"].lower()
