"""The chunked `decide` pipeline: engines agree, nothing lost, nothing half-written, bad input."""

import csv
import datetime as dt
import json

import pytest

from conftest import ROOT, invoke
from landrules.decide import batch, engines
from landrules.decide.engines import choose_engine
from landrules.decide.find import find_parcel
from landrules.decide.options import RunOptions
from landrules.decide.pipeline import decide_ledger
from landrules.ledger.read.reader import LedgerError

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
AS_OF = dt.date(2021, 10, 1)


run = invoke


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("chunk_rows", [pytest.param(1, marks=pytest.mark.slow), 7, 50_000])  # 1: a chunk a row, slow
def test_engines_and_chunk_sizes_give_identical_output(rulebook, tmp_path, chunk_rows):
    outputs = {}
    for engine in ("durable", "vectorized"):
        out = tmp_path / f"{engine}.jsonl"
        decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF, engine=engine, chunk_rows=chunk_rows))
        outputs[engine] = out.read_bytes()
    assert outputs["durable"] == outputs["vectorized"]
    reference = tmp_path / "reference.jsonl"
    decide_ledger(SAMPLE, reference, RunOptions(rulebook, AS_OF, engine="durable"))
    assert outputs["durable"] == reference.read_bytes()


def test_duplicates_are_found_across_chunks(rulebook, tmp_path):
    ledger = tmp_path / "dup.csv"
    ledger.write_text("宗地编号,面积（亩）\nA,1\nB,2\nA,3\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = decide_ledger(ledger, out, RunOptions(rulebook, AS_OF, chunk_rows=1))
    records = jsonl(out)
    assert [r["parcel_id"] for r in records] == ["A", "B", "A"]
    assert records[2]["errors"] == ['第4行 parcel_id（宗地编号）: 重复的宗地编号 "A"（首次出现在第2行）']
    assert result.summary.invalid == 1 and result.summary.decided == 2


def test_auto_engine_choice():
    assert choose_engine("auto", small_ledger=True, first_chunk_rows=40) == "durable"
    assert choose_engine("auto", small_ledger=True, first_chunk_rows=engines.AUTO_DURABLE_MAX_ROWS + 1) == "vectorized"
    assert choose_engine("auto", small_ledger=False, first_chunk_rows=50_000) == "vectorized"
    assert choose_engine("durable", small_ledger=False, first_chunk_rows=50_000) == "durable"


def test_summary_counts_and_areas_match_the_records(rulebook, tmp_path):
    out = tmp_path / "out.jsonl"
    result = decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF))
    records = jsonl(out)
    with SAMPLE.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    area = {}
    for row in rows:
        mu, m2 = row["面积（亩）"].replace(",", ""), row["面积（平方米）"].replace(",", "")
        area[row["宗地编号"]] = float(mu) if mu else round(float(m2) * 15 / 10000, 6)
    summary = result.summary
    assert (summary.rows, summary.decided, summary.invalid) == (40, 38, 2)
    idle = [r for r in records if "idle" in r["categories"]]
    assert summary.by_category["idle"].count == len(idle)
    assert summary.by_category["idle"].area_mu == pytest.approx(sum(area[r["parcel_id"]] for r in idle))
    fee = [r for r in records if any(o["code"] == "idle_fee" for o in r["outcomes"])]
    # 1: SL-021 started and then stopped, so 第十四条 does not reach it (contract §5 Revised); SL-020 is two
    # full years past its agreed start, recovered without the fee beside it (graded 第十四条, wave 3)
    assert summary.by_outcome["idle_fee"].count == len(fee) == 1
    assert summary.by_outcome["idle_fee"].area_mu == pytest.approx(sum(area[r["parcel_id"]] for r in fee))


def test_interrupted_run_leaves_no_output(rulebook, tmp_path, monkeypatch):
    calls = {"n": 0}
    real = batch.LedgerDecider.decide

    def failing(self, parsed, with_json=True, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, parsed, with_json, **kw)

    monkeypatch.setattr(batch.LedgerDecider, "decide", failing)
    for suffix in (".csv", ".xlsx", ".jsonl", ".parquet"):
        calls["n"] = 0
        out = tmp_path / f"out{suffix}"
        with pytest.raises(KeyboardInterrupt):
            decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF, chunk_rows=5))
        assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupt_through_the_cli_says_so(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("landrules.decide.pipeline.decide_ledger", interrupted)
    result = run("decide", SAMPLE, "-o", tmp_path / "out.csv")
    assert result.exit_code == 130 and "已中断，未写出输出文件" in result.stderr


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet", ".xlsx"])
def test_same_input_gives_byte_identical_output(rulebook, tmp_path, suffix):
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    decide_ledger(SAMPLE, a, RunOptions(rulebook, AS_OF))
    decide_ledger(SAMPLE, b, RunOptions(rulebook, AS_OF))
    assert a.read_bytes() == b.read_bytes()


def test_header_only_ledger_gives_empty_output_and_exit_0(tmp_path):
    ledger = tmp_path / "empty.csv"
    ledger.write_text("宗地编号,面积（亩）,备注\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("decide", ledger, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == ""


def test_header_without_parcel_id_is_exit_2_naming_the_columns(tmp_path):
    ledger = tmp_path / "no-id.csv"
    ledger.write_text("编号,面积（亩）,备注\nA,1,x\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("decide", ledger, "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert "缺少 parcel_id（宗地编号）列" in result.stderr and "编号, 面积（亩）, 备注" in result.stderr


def test_huge_cell_wide_ledger_mixed_dates_and_odd_path(tmp_path):
    folder = tmp_path / "石龙 台账"
    folder.mkdir()
    ledger = folder / "宽 表.csv"
    extra = [f"附加{i}" for i in range(470)]
    # 已认定闲置 = 是: the fee and recovery need a finding (contract §5 Revised)
    header = ["宗地编号", "面积（亩）", "供地日期", "约定动工日期", "已认定闲置", "闲置原因", "备注"] + extra
    rows = [
        ["A", "5", "2018-01-02", "2019/3/1", "是", "企业原因", "x" * 100_000] + ["v"] * 470,
        ["B", "6", "2018年1月2日", "2019.03.01", "是", "企业原因", "=1+1"] + ["w"] * 470,
    ]
    with ledger.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    out = folder / "结果 输出.csv"
    result = run("decide", ledger, "-o", out, "--as-of", "2021-10-01")
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        written = list(csv.DictReader(f))
    assert len(written) == 2 and len(written[0]) == len(header) + 13
    assert written[0]["备注"] == "x" * 100_000  # carried through untouched
    assert written[1]["备注"] == "'=1+1"  # defused, shown as text
    assert written[0]["附加469"] == "v"
    for row in written:
        assert row["outcome_codes"] == "urge_start_within_deadline; recover_without_compensation"  # graded 第十四条


def test_unreadable_ledger_mid_stream_leaves_no_file(rulebook, tmp_path):
    ledger = tmp_path / "ragged.csv"
    ledger.write_text("宗地编号,面积（亩）\n" + "".join(f"P{i},1\n" for i in range(20)) + "X,1,2,3\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(LedgerError):
        decide_ledger(ledger, out, RunOptions(rulebook, AS_OF, chunk_rows=5))
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["ragged.csv"]


def test_input_column_named_like_a_decision_column_does_not_hide_it(rulebook, tmp_path):
    ledger = tmp_path / "clash.csv"
    ledger.write_text("宗地编号,面积（亩）,errors,needs\nA,1,他人的备注,x\nB,-1,,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    decide_ledger(ledger, out, RunOptions(rulebook, AS_OF))
    frame = __import__("pandas").read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns[:4]) == ["宗地编号", "面积（亩）", "errors.1", "needs.1"]
    assert frame.loc[0, "errors.1"] == "他人的备注" and frame.loc[0, "errors"] == ""
    assert "area_mu" in frame.loc[1, "errors"]


def test_parquet_list_cells_are_invalid_records_not_a_crash(rulebook, tmp_path):
    import pandas as pd

    ledger = tmp_path / "list.parquet"
    pd.DataFrame({"宗地编号": ["A", "B"], "面积（亩）": [1.0, 2.0], "土地用途": [["工业"], ["工业", "住宅"]]}).to_parquet(ledger)
    out = tmp_path / "out.jsonl"
    decide_ledger(ledger, out, RunOptions(rulebook, AS_OF))
    records = jsonl(out)
    assert [r["outcomes"][0]["code"] for r in records] == ["invalid_record", "invalid_record"]
    assert "['工业', '住宅']" in records[1]["errors"][0]


def test_explain_shows_markup_like_text_literally(tmp_path):
    ledger = tmp_path / "markup.csv"
    ledger.write_text("宗地编号,面积（亩）,土地用途\nA[/],1,工业\nB,2,[bold]x[/]\n", encoding="utf-8")
    first = run("explain", ledger, "--parcel", "A[/]", "--as-of", "2021-10-01")
    assert first.exit_code == 0 and "宗地 A[/]" in first.stdout
    second = run("explain", ledger, "--parcel", "B", "--as-of", "2021-10-01")
    assert second.exit_code == 0 and '"[bold]x[/]"' in second.stdout


def test_unexpected_error_is_one_line_and_exit_2(monkeypatch, capsys):
    from landrules import cli
    from landrules.decide import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "decide_ledger", broken)
    monkeypatch.setattr("sys.argv", ["landrules", "decide", str(SAMPLE)])
    monkeypatch.delenv("LANDRULES_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2
    assert capsys.readouterr().err.strip() == "landrules: 内部错误，未完成: RuntimeError: boom"


@pytest.mark.slow
def test_sigterm_leaves_no_output_file(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    ledger = tmp_path / "big.csv"
    ledger.write_text("宗地编号,面积（亩）\n" + "".join(f"P{i},1\n" for i in range(400_000)), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    proc = subprocess.Popen(
        [sys.executable, "-m", "landrules", "decide", str(ledger), "-o", str(out), "--engine", "vectorized"],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "engine")},
    )
    deadline = time.time() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()) and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "未写出输出文件" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


def test_rows_with_notes_keep_their_own_decision_when_flat_cells_agree(rulebook, evaluator, tmp_path):
    """Two decisions whose flattened cells are equal (needs_information from five rules or six
    collapse to one code) and whose rows carry the same note keep their own JSON outcomes: each
    row's record is what one-parcel decision gives (a cache once keyed on flat cells mixed them)."""
    header = ("宗地编号,面积（亩）,面积（平方米）,土地用途,项目来源,批准日期,供地日期,供地方式,开工日期,约定动工日期,"
              "已开发面积占比,已投资额占比,中止开发日期,已认定闲置,已协商一致收回\n")
    ledger = tmp_path / "notes.csv"
    ledger.write_text(header
                      + "B,0.91,6.55,商服,招商引资,2020.09.26,2018.07.01,划拨,2021-12-04,2020-08-19,0.347,0.926,2016年08月04日,是,是\n"
                      + "A,4.1,5.15,,招商引资,2017年06月02日,2017年05月24日,划拨,2021-12-04,2016.09.06,0.085,0.302,2018.01.29,是,是\n",
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    decide_ledger(ledger, out, RunOptions(rulebook, AS_OF, engine="vectorized"))
    records = jsonl(out)
    rules = [[(o["code"], o["rule"]) for o in r["outcomes"]] for r in records]
    assert len(rules[1]) == len(rules[0]) + 1, rules  # A lacks one more fact than B: one more rule undecided
    for record in records:
        assert record["notes"] == ["开工日期 2021-12-04 晚于评估日 2021-10-01，按未发生处理"]
        found = find_parcel(ledger, record["parcel_id"], RunOptions(rulebook, AS_OF))
        alone = evaluator.decide(record["parcel_id"], found.facts, AS_OF)
        assert [(o.code, o.rule) for o in alone.outcomes] == [(o["code"], o["rule"]) for o in record["outcomes"]]


def test_disk_full_on_the_writing_thread_is_raised_and_leaves_nothing(rulebook, tmp_path, monkeypatch):
    """CSV is written on a thread of its own: a full disk there stops the run with the writer's
    one-line error, and neither the output nor a temp file is left."""
    import errno

    from landrules.ledger.write import formats as write
    from landrules.ledger.write.base import OutputError

    real, calls = write.pa_csv.write_csv, {"n": 0}

    def full_disk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(write.pa_csv, "write_csv", full_disk)
    out = tmp_path / "out.csv"
    with pytest.raises(OutputError, match="磁盘空间不足"):
        decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF, chunk_rows=5))
    assert calls["n"] == 2  # the chunks after the failed one were not written
    assert list(tmp_path.iterdir()) == []


def test_progress_hears_of_the_finishing_work(rulebook, tmp_path):
    """The progress line counts rows, then says what is being written before the output is done."""
    heard = []

    class Progress:
        def __call__(self, n):
            heard.append(n)

        def finishing(self, what):
            heard.append(what)
            assert not out.exists()  # said before the workbook is completed

    out = tmp_path / "out.xlsx"
    decide_ledger(SAMPLE, out, RunOptions(rulebook, AS_OF, chunk_rows=15), progress=Progress())
    assert heard[-1] == "正在写出 out.xlsx…" and sum(heard[:-1]) == 40 and out.exists()
