"""Officers' own ledgers (issue 10, contract §3 "Real ledgers"): the same parcels laid out the
way bureaus keep them decide exactly as in the canonical form, in every format."""

from __future__ import annotations

import json
import re
import shutil

import openpyxl
import pytest

import real_ledger
from conftest import ROOT, invoke

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"


run = invoke


def comparable(path):
    """Decisions with what legitimately differs taken out: the 公顷 note, and the row number and
    the cell as written in an error (the re-laid ledger has a title row and writes 150%)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        d["notes"] = [n for n in d["notes"] if "公顷" not in n]
        d["errors"] = [re.sub(r"^第\d+行 ([^:]+):.*", r"\1", e) for e in d["errors"]]
        out.append(d)
    return out


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    out = tmp_path_factory.mktemp("canonical") / "c.jsonl"
    result = run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 1, result.output
    return comparable(out)


@pytest.mark.parametrize("writer,name", [
    (real_ledger.write_xlsx, "石龙 台账.xlsx"),
    (real_ledger.write_csv_gbk, "台账.csv"),
    (real_ledger.write_xls, "台账.xls"),
])
def test_real_layout_decides_as_the_canonical_form(tmp_path, canonical, writer, name):
    ledger = writer(tmp_path / name)
    colmap = tmp_path / "列对照.yaml"
    colmap.write_text(real_ledger.COLUMN_MAP, encoding="utf-8")
    out = tmp_path / "d.jsonl"
    result = run("decide", ledger, "--as-of", "2021年10月1日", "--columns", colmap, "-o", out)
    assert result.exit_code == 1, result.output
    decided = comparable(out)
    assert [d["parcel_id"] for d in decided] == [d["parcel_id"] for d in canonical]  # the 合计 row is no parcel
    assert decided == canonical
    raw = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # every area is in 公顷: the conversion is said once, in the summary, not on each of the 40 rows
    assert not any("面积由公顷换算为亩（1 公顷 = 15 亩）" in d["notes"] for d in raw)
    assert "面积列为公顷，各宗面积均已换算为亩（1 公顷 = 15 亩）" in result.stderr
    assert "合计行 1 行（未计入）: 第 43 行" in result.stderr
    assert result.stderr.splitlines()[0] == "评估日 2021-10-01"  # first, even before the notices


def test_et_is_read_as_the_ole2_it_is(tmp_path, canonical):
    ledger = shutil.copy(real_ledger.write_xls(tmp_path / "a.xls"), tmp_path / "台账.et")
    colmap = tmp_path / "map.yaml"
    colmap.write_text(real_ledger.COLUMN_MAP, encoding="utf-8")
    out = tmp_path / "d.jsonl"
    assert run("decide", ledger, "--as-of", "2021-10-01", "--columns", colmap, "-o", out).exit_code == 1
    assert comparable(out) == canonical


def test_ods_and_xlsm(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"宗地编号": ["A-1", "A-2"], "面积（公顷）": [1.5, 2.0], "规划用途": ["工业", "住宅"]})
    frame.to_excel(tmp_path / "l.ods", engine="odf", index=False)
    frame.to_excel(tmp_path / "l.xlsm", index=False, engine="openpyxl")
    for name in ("l.ods", "l.xlsm"):
        out = tmp_path / f"{name}.jsonl"
        result = run("decide", tmp_path / name, "--as-of", "2021-10-01", "-o", out)
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["parcel_id"] for r in rows] == ["A-1", "A-2"]
        assert all(r["notes"] == [] for r in rows)  # said once, before deciding
        assert "各宗面积均已换算为亩" in result.stderr


def test_lookalike_header_is_reported_before_any_decision(tmp_path):
    import io

    from landrules.decide.options import RunOptions
    from landrules.decide.pipeline import decide_ledger
    from landrules.rulebook import locate
    from landrules.rulebook.load import load_rulebook

    path = tmp_path / "l.csv"
    path.write_text("宗地编号,面积（亩）,土地用途类别,批准日期,开工日期\nA,3,工业,2017-05-12,2017-10-08\n", encoding="utf-8")
    stdout, seen = io.StringIO(), []

    def report(checked):
        seen.append((checked.lines(), stdout.getvalue()))

    rulebook = load_rulebook(locate.rules_dir(None), locate.policy_dir(None))
    result = decide_ledger(path, None, RunOptions(rulebook, __import__("datetime").date(2021, 10, 1)), stdout=stdout, report=report)
    ((lines, written_before),) = seen
    assert written_before == ""  # nothing decided yet
    assert any('列 "土地用途类别"' in line and "land_use（土地用途）" in line for line in lines)
    assert any(line.startswith("台账没有规则所需的") and "土地用途" in line for line in lines)
    assert json.loads(stdout.getvalue())["parcel_id"] == "A"
    assert result.summary.needs_by_field["land_use"].count == 1
    cli = run("decide", path, "--as-of", "2021-10-01")
    assert '注意: 列 "土地用途类别"' in cli.stderr
    assert "缺列字段 土地用途: 1 宗决策需要它" in cli.stderr
    strict = run("decide", path, "--as-of", "2021-10-01", "--strict-columns", "-o", tmp_path / "x.csv")
    assert strict.exit_code == 2 and "--strict-columns" in strict.stderr and not (tmp_path / "x.csv").exists()


def test_xlsx_summary_carries_the_column_report_and_totals(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("宗地编号,面积（公顷）,用途类别\nA,1,工业\n合计,1,\n", encoding="utf-8")
    out = tmp_path / "d.xlsx"
    assert run("decide", path, "--as-of", "2021-10-01", "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    texts = [c for row in book["汇总"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any('列 "用途类别"' in t for t in texts)
    assert "合计行 1 行（未计入）: 第 3 行" in texts
    decided = [row for row in book[book.sheetnames[0]].iter_rows(values_only=True)]
    # the ledger's 合计 row is not among the decisions (序号 first; the workbook's own 合计 counts 1 宗)
    assert [r[1] for r in decided[3:] if r and isinstance(r[0], int)] == ["A"]
    assert [r[1] for r in decided if r and r[0] == "合计"] == [1]


def test_as_of_spellings_and_the_first_summary_line(tmp_path):
    for spelling in ("2021/10/01", "2021年10月1日", "2021.10.1"):
        result = run("decide", SAMPLE, "--as-of", spelling, "-o", tmp_path / "d.jsonl")
        assert result.stderr.splitlines()[0] == "评估日 2021-10-01", spelling
    today = run("decide", SAMPLE, "-o", tmp_path / "d.jsonl")
    assert re.fullmatch(r"评估日 \d{4}-\d\d-\d\d（未指定，按今天）", today.stderr.splitlines()[0])
    bad = run("decide", SAMPLE, "--as-of", "2021年13月1日")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "2021年13月1日" in bad.stderr


def test_explain_takes_the_column_map(tmp_path):
    ledger = real_ledger.write_csv_gbk(tmp_path / "l.csv")
    colmap = tmp_path / "map.yaml"
    colmap.write_text(real_ledger.COLUMN_MAP, encoding="utf-8")
    result = run("explain", ledger, "--parcel", "SL-002", "--as-of", "2021-10-01", "--columns", colmap, "--json")
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)["decision"]
    assert {o["code"] for o in decision["outcomes"]} == {"clear_approval"}  # clearing replaces digesting (wave 3)
    assert decision["notes"] == ["面积由公顷换算为亩（1 公顷 = 15 亩）"]
    without = run("explain", ledger, "--parcel", "SL-002", "--as-of", "2021-10-01", "--json")
    assert {o["code"] for o in json.loads(without.stdout)["decision"]["outcomes"]} != {"digest_unsupplied", "clear_approval"}


def test_sample_ledger_says_nothing_about_its_columns():
    result = run("decide", SAMPLE, "--as-of", "2021-10-01")
    assert "注意" not in result.stderr and "缺列字段" not in result.stderr and "合计行" not in result.stderr
