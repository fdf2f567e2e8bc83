"""`decide DATASET --dask SCHEDULER --record`: the run recorded as the single-machine run of the same
ledger is, so that runs, progress, history and replay work on it alike (contract §7 "Scale").
Both runs on Dask go to one LocalCluster started for this file, by its address (starting a cluster
costs some 4 s of CPU; `--dask local` itself is tested in test_dask.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

pytest.importorskip("distributed", reason="landrules[dask] is part of the test extras")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_dask import write_dataset  # noqa: E402

from conftest import invoke  # noqa: E402
from landrules.record.arrow_rows import blob_table  # noqa: E402

pytestmark = pytest.mark.slow  # a local cluster

FILES, ROWS = 4, 3_000


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster of two single-threaded worker processes, as `--dask local` starts."""
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, scheduler):
    """A store holding the same ledger recorded twice: on one machine (run 1) and on Dask (run 2)."""
    tmp = tmp_path_factory.mktemp("dask-record")
    data = tmp / "dataset"
    frames = write_dataset(data, FILES, ROWS, plant={1: 7, 3: 11})  # an invalid row, a duplicate across files
    whole = tmp / "whole.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(whole, index=False)
    store = tmp / "store.duckdb"
    common = ("--as-of", "2021-10-01", "--record", "--store", store)
    single = invoke("decide", whole, "--engine", "vectorized", "-o", tmp / "single.parquet", "--label", "单机", *common)
    dasked = invoke("decide", data, "--dask", scheduler, "-o", tmp / "out", "--label", "集群", *common)
    assert single.exit_code == dasked.exit_code == 1, (single.output, dasked.output)  # invalid rows, kept
    assert f"已记录第 2 期：集群，评估日 2021-10-01，{FILES * ROWS} 行" in dasked.stderr
    return tmp, store


def test_the_dask_run_is_listed_like_the_single_run(recorded):
    tmp, store = recorded
    runs = json.loads(invoke("runs", "--json", "--store", store).stdout)
    assert [(r["label"], r["ledger"], r["rows"]) for r in runs] == [("单机", "whole.parquet", FILES * ROWS),
                                                                     ("集群", "dataset", FILES * ROWS)]
    assert runs[0]["rulebook"] == runs[1]["rulebook"]
    assert not (tmp / "out" / ".landrules-record").exists()  # the workers' parts are gone once taken in
    assert len(list((tmp / "out").rglob("*.parquet"))) == FILES


def test_the_recorded_decisions_and_facts_are_the_same(recorded):
    _, store = recorded
    con = duckdb.connect(str(store), read_only=True)
    try:
        records = con.execute("""SELECT run_id, count(*), md5(string_agg(record, chr(10) ORDER BY row))
                                 FROM decision_records GROUP BY run_id ORDER BY run_id""").fetchall()
        facts = [pa.concat_tables([blob_table(b) for (b,) in con.execute(
            "SELECT facts FROM row_cells WHERE run_id = ? ORDER BY first_row", [run_id]).fetchall()]) for run_id in (1, 2)]
        duplicate = con.execute("SELECT errors FROM decision_rows WHERE run_id = 2 AND parcel_id = 'DUP-1' "
                                "ORDER BY row").fetchall()
    finally:
        con.close()
    assert records[0][1:] == records[1][1:] == (FILES * ROWS, records[0][2])
    assert facts[0].num_rows == FILES * ROWS and facts[0].equals(facts[1])  # every canonical field of every row
    assert duplicate[0][0] is None and "重复的宗地编号" in duplicate[1][0]  # checked across files, as decide does


def test_progress_between_the_two_is_all_unchanged(recorded):
    tmp, store = recorded
    result = invoke("progress", "单机", "集群", "-o", tmp / "p.jsonl", "--store", store)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == FILES * ROWS
    assert {line["class_label"] for line in lines} == {"未变"}


def test_replay_of_the_dask_run_is_identical(recorded):
    _, store = recorded
    result = invoke("replay", "集群", "--store", store)
    assert result.exit_code == 0, result.output
    assert f"全部 {FILES * ROWS} 行的决策与记录一致" in result.stdout


def test_history_finds_the_last_parcel_in_both_runs(recorded):
    tmp, store = recorded
    parcel = pd.read_parquet(tmp / "whole.parquet")["宗地编号"].iloc[-1]  # of the dataset's last file
    steps = json.loads(invoke("history", parcel, "--json", "--store", store).stdout)
    assert [s["label"] for s in steps] == ["单机", "集群"]
    assert steps[1]["changed"] == {} and steps[0]["row"] == steps[1]["row"] == FILES * ROWS + 1


def test_a_dataset_whose_files_differ_in_columns_is_decided_but_not_recorded(tmp_path, scheduler):
    data = tmp_path / "dataset"
    data.mkdir()
    first = write_dataset(tmp_path / "a", 1, 300)[0]
    first.to_parquet(data / "0.parquet", index=False)
    first.drop(columns=["项目名称"]).to_parquet(data / "1.parquet", index=False)
    store = tmp_path / "store.duckdb"
    result = invoke("decide", data, "--dask", scheduler, "-o", tmp_path / "out2", "--as-of", "2021-10-01",
                    "--record", "--store", store)
    assert result.exit_code == 2 and "数据集各文件的列不同" in result.stderr and "本期未记录" in result.stderr
    assert len(list((tmp_path / "out2").rglob("*.parquet"))) == 2  # decided and written all the same
    assert not (tmp_path / "out2" / ".landrules-record").exists()
    runs = invoke("runs", "--json", "--store", store)
    assert json.loads(runs.stdout) == []  # nothing of the run stayed
