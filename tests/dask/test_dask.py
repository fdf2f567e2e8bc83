"""The same decisions on a Dask cluster: a LocalCluster of two workers against one machine."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed", reason="landrules[dask] is part of the test extras")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from landrules.dask.bundle import RulebookBundle, RulebookMismatch, rulebook_on_worker  # noqa: E402
from landrules.dask.frame import decide_frame  # noqa: E402
from landrules.dask.runner import decide_dataset  # noqa: E402
from landrules.decide.options import RunOptions  # noqa: E402
from landrules.decide.pipeline import decide_ledger  # noqa: E402
from synthetic import ledger_frame  # noqa: E402

pytestmark = pytest.mark.slow  # long: see `slow` in pyproject.toml

AS_OF = dt.date(2021, 10, 1)
FILES, ROWS = 10, 2_000  # ten files; the single run below reads their 20 000 rows in four chunks, as 200 000 rows once


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            yield client


def write_dataset(folder: Path, files: int, rows: int, plant=None) -> list[pd.DataFrame]:
    frames = []
    for k in range(files):
        frame = ledger_frame(rows, seed=100 + k, start=k * rows)
        if k == 1:
            frame.loc[5, "面积（亩）"] = "-3"  # an invalid row: kept, with its error
        if plant and k in plant:
            frame.loc[plant[k], "宗地编号"] = "DUP-1"
        sub = folder / (f"county={k % 3}" if k % 2 else "") / f"part-{k:02d}.parquet"
        sub.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(sub, index=False)
        frames.append((sub.relative_to(folder), frame))
    return [f for _, f in sorted(frames, key=lambda t: str(t[0]))]


def test_dataset_on_two_workers_equals_the_concatenated_ledger(tmp_path, rulebook, cluster):
    data = tmp_path / "dataset"
    frames = write_dataset(data, FILES, ROWS, plant={2: 7, 6: 11})
    whole = tmp_path / "whole.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(whole, index=False)
    single = decide_ledger(whole, tmp_path / "single.parquet", RunOptions(rulebook, AS_OF, engine="vectorized", chunk_rows=5_000))

    result = decide_dataset(data, tmp_path / "out", rulebook, AS_OF, client=cluster)

    outputs = sorted((tmp_path / "out").rglob("*.parquet"), key=lambda p: str(p.relative_to(tmp_path / "out")))
    inputs = sorted(data.rglob("*.parquet"), key=lambda p: str(p.relative_to(data)))
    assert [p.relative_to(tmp_path / "out") for p in outputs] == [p.relative_to(data) for p in inputs]
    got = pd.concat([pd.read_parquet(p) for p in outputs], ignore_index=True)
    want = pd.read_parquet(tmp_path / "single.parquet")
    assert len(got) == FILES * ROWS
    pd.testing.assert_frame_equal(got.drop(columns=["rulebook"]), want.drop(columns=["rulebook"]))
    assert set(got["rulebook"]) == {rulebook.hash}

    # the summary is reduced across partitions to the single run's figures
    assert (result.summary.rows, result.summary.decided, result.summary.invalid) == (
        single.summary.rows, single.summary.decided, single.summary.invalid)
    assert {k: (t.count, round(t.area_mu, 6)) for k, t in result.summary.by_outcome.items()} == {
        k: (t.count, round(t.area_mu, 6)) for k, t in single.summary.by_outcome.items()}

    # the duplicate planted across two files is reported with both files and rows
    [dup] = result.duplicates
    assert dup.parcel_id == "DUP-1"
    assert dup.first[:2] == ("part-02.parquet", 9) and dup.again[:2] == ("part-06.parquet", 13)
    assert "part-02.parquet 第9行" in dup.message() and "part-06.parquet 第13行" in dup.message()
    second = got[got["宗地编号"] == "DUP-1"].iloc[1]
    assert second["outcome_codes"] == "invalid_record" and "重复的宗地编号" in second["errors"]


def test_a_dask_dataframe_is_decided_partition_by_partition(tmp_path, rulebook, cluster):
    import dask.dataframe as dd

    frame = ledger_frame(3_000, seed=5)
    ddf = dd.from_pandas(frame, npartitions=3)
    got = decide_frame(ddf, rulebook, AS_OF).compute()
    path = tmp_path / "l.parquet"
    frame.to_parquet(path, index=False)
    decide_ledger(path, tmp_path / "one.parquet", RunOptions(rulebook, AS_OF, engine="vectorized"))
    want = pd.read_parquet(tmp_path / "one.parquet")
    assert list(got.columns) == list(want.columns)
    assert got.isna().sum().sum() > 0  # empty cells are null, as in decide's Parquet
    for column in ("outcome_codes", "citations", "needs", "errors", "deadline"):
        assert got[column].fillna("").tolist() == want[column].fillna("").tolist(), column


def test_a_worker_refuses_a_rulebook_whose_hash_does_not_match(rulebook):
    bundle = RulebookBundle.of(rulebook)
    assert rulebook_on_worker(bundle).hash == rulebook.hash
    forged = RulebookBundle("sha256:" + "0" * 64, bundle.files)
    with pytest.raises(RulebookMismatch):
        rulebook_on_worker(forged)


def test_cli_decides_a_dataset_on_a_local_cluster(tmp_path):
    from typer.testing import CliRunner

    from landrules.cli import app

    data = tmp_path / "d"
    data.mkdir()
    for k in range(2):
        ledger_frame(300, seed=k, start=k * 300).to_parquet(data / f"{k}.parquet", index=False)
    runner = CliRunner()
    result = runner.invoke(app, ["decide", str(data), "--dask", "local", "-o", str(tmp_path / "o"), "--as-of", "2021-10-01"])
    assert result.exit_code in (0, 1), result.output
    assert "读取 600 宗" in result.stderr and "Dask" in result.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["0.parquet", "1.parquet"]
    assert len(pd.read_parquet(tmp_path / "o" / "1.parquet")) == 300

    bad = runner.invoke(app, ["decide", str(data), "--dask", "local", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "输出应为目录" in bad.stderr
    nofolder = runner.invoke(app, ["decide", str(data / "0.parquet"), "--dask", "local", "-o", str(tmp_path / "o2")])
    assert nofolder.exit_code == 2 and "数据集目录" in nofolder.stderr
