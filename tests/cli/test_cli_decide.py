"""End to end: `landrules decide` / `explain` / `lint` on the bundled sample ledger."""

import csv
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, invoke

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
OUTCOMES_WITHOUT_CLAUSE = {"no_action", "needs_information", "invalid_record"}


run = invoke


def expected_from_examples_readme():
    """parcel -> outcome codes, from the table in examples/README.md."""
    table = {}
    for line in (ROOT / "examples" / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"SL-\d{3}", cells[0]):
            table[cells[0]] = set(re.findall(r"[a-z_]+(?=[,\s(]|$)", cells[2])) & KNOWN_CODES
    return table


KNOWN_CODES = {
    "regularise", "allocate_directly", "clear_approval", "digest_unsupplied", "remove_obstacles",
    "urge_start_within_deadline", "idle_fee", "recover_without_compensation", "compensated_recovery",
    "low_efficiency_redevelopment", "standard_land_missing", "standard_land_breach", "no_action",
    "needs_information", "invalid_record",
    "investigate_idle", "negotiate_disposal",  # contract §4 (added) / §5 Revised: the sample shows them too
}


@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "out.jsonl"
    result = run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out)
    return result, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_decide_writes_one_conformant_record_per_row_in_order(decided):
    result, records = decided
    assert result.exit_code == 1  # the sample holds two invalid rows on purpose
    with SAMPLE.open(encoding="utf-8-sig") as f:
        ids = [row["宗地编号"] for row in csv.DictReader(f)]
    assert [r["parcel_id"] for r in records] == ids
    for r in records:
        assert list(r) == ["parcel_id", "as_of", "rulebook", "categories", "outcomes", "needs", "errors", "notes"]  # notes: contract §4, added
        assert r["as_of"] == "2021-10-01" and r["rulebook"].startswith("sha256:")
        assert r["outcomes"], r
        for o in r["outcomes"]:
            assert {"code", "label", "rule", "citations", "deadline", "overdue", "responsible"} <= set(o)
            if o["code"] not in OUTCOMES_WITHOUT_CLAUSE:
                assert o["citations"] and all(c["doc"] and c["clause"] and c["text"] for c in o["citations"])
        if r["errors"]:
            assert [o["code"] for o in r["outcomes"]] == ["invalid_record"]


def test_sample_decisions_match_the_documented_intent(decided):
    _, records = decided
    expected = expected_from_examples_readme()
    assert len(expected) == 40
    for r in records:
        assert {o["code"] for o in r["outcomes"]} == expected[r["parcel_id"]], r["parcel_id"]


def test_sample_covers_every_outcome_code(decided):
    _, records = decided
    assert {o["code"] for r in records for o in r["outcomes"]} == KNOWN_CODES


def test_summary_on_stderr(decided):
    result, _ = decided
    assert "读取 40 宗，已决策 38 宗，无效 2 宗" in result.stderr
    assert "闲置" in result.stderr and "面积（亩）" in result.stderr


def test_invalid_rows_name_row_field_and_value(decided):
    _, records = decided
    errors = {r["parcel_id"]: r["errors"] for r in records if r["errors"]}
    assert set(errors) == {"SL-038", "SL-039"}
    assert any("第39行" in e and "land_use" in e and "林地" in e for e in errors["SL-038"])
    assert any("第40行" in e and "developed_ratio" in e and "1.5" in e for e in errors["SL-039"])


def test_csv_output_is_flattened_with_input_columns_first(tmp_path):
    out = tmp_path / "决策 结果.csv"
    assert run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out).exit_code == 1
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 40
    header = list(rows[0])
    assert header[0] == "宗地编号" and header.index("备注") < header.index("categories")
    assert header[header.index("categories"):header.index("categories") + 8] == [
        "categories", "outcome_codes", "outcome_labels", "citations", "deadline", "responsible", "needs", "errors"]
    row = next(r for r in rows if r["宗地编号"] == "SL-020")
    assert row["outcome_codes"] == "urge_start_within_deadline; recover_without_compensation"  # graded 第十四条
    assert "国土资源部令第53号 14" in row["citations"]


def test_xlsx_output_opens_with_openpyxl(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    assert run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", out).exit_code == 1
    sheet = load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:2] == ("序号", "宗地编号")  # below the title and the 填报单位 line
    assert len([r for r in rows[3:] if r and isinstance(r[0], int)]) == 40


def test_jsonl_on_stdout_without_output(tmp_path):
    result = run("decide", SAMPLE, "--as-of", "2021-10-01")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 40


@pytest.mark.parametrize(
    "args, message",
    [
        (["decide", ROOT / "nope.csv"], "无法读取台账"),
        (["decide", SAMPLE, "--as-of", "2021-13-01"], "--as-of"),
        (["decide", SAMPLE, "-o", "out.txt"], "不支持的输出格式"),
    ],
)
def test_nothing_decided_is_exit_2_with_a_one_line_reason(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_invalid_rulebook_is_exit_2_and_writes_no_file(rulebook_copy, tmp_path):
    rules, policy = rulebook_copy
    (rules / "idle.yaml").write_text(
        (rules / "idle.yaml").read_text(encoding="utf-8").replace("idle_cause", "idle_kause", 1), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("decide", SAMPLE, "-o", out, "--rules", rules, "--policy", policy)
    assert result.exit_code == 2 and not out.exists()
    assert re.search(r"idle\.yaml:\d+: .*idle_kause", result.stderr)
    assert list(tmp_path.iterdir()) == [] or all(p.name in ("rules", "policy") for p in tmp_path.iterdir())


def test_rulebook_from_environment(rulebook_copy, monkeypatch):
    rules, policy = rulebook_copy
    (rules / "outcomes.yaml").write_text(
        (rules / "outcomes.yaml").read_text(encoding="utf-8").replace("无需处置", "无需处置（测试）"), encoding="utf-8")
    monkeypatch.setenv("LANDRULES_RULES", str(rules))
    monkeypatch.setenv("LANDRULES_POLICY", str(policy))
    result = run("decide", SAMPLE, "--as-of", "2021-10-01")
    assert "无需处置（测试）" in result.stdout


def test_explain_prints_decision_trace_and_clause_text():
    result = run("explain", SAMPLE, "--parcel", "SL-019", "--as-of", "2021-10-01")
    assert result.exit_code == 0
    out = result.stdout
    assert "征缴土地闲置费" in out and "规则追踪" in out and "idle.enterprise.fee" in out
    assert "约定动工日期" in out and "成立" in out
    assert "未动工开发满一年的" in out  # the cited clause's own text


def test_explain_json_has_every_rule_with_conditions(rulebook):
    result = run("explain", SAMPLE, "--parcel", "SL-012", "--as-of", "2021-10-01", "--json")
    data = json.loads(result.stdout)
    assert [t["rule"] for t in data["trace"]] == [r.id for r in rulebook.rules]
    regularise = next(t for t in data["trace"] if t["rule"] == "unsupplied.regularise")
    assert regularise["status"] == "undecided" and regularise["result"] is None
    unknown = [c for c in regularise["conditions"] if c["result"] is None and "运营良好" in c["condition"]]
    assert unknown and unknown[0]["actual"] == "（空）"
    assert data["decision"]["needs"] == ["operating_well"]


def test_explain_unknown_parcel_is_exit_2():
    result = run("explain", SAMPLE, "--parcel", "SL-999")
    assert result.exit_code == 2 and "SL-999" in result.stderr


def test_lint_clean_and_broken(rulebook_copy):
    assert run("lint").exit_code == 0
    rules, policy = rulebook_copy
    (rules / "idle.yaml").write_text(
        (rules / "idle.yaml").read_text(encoding="utf-8").replace("2.3.2.2]", "2.3.2.9]", 1), encoding="utf-8")
    result = run("lint", "--rules", rules, "--policy", policy)
    assert result.exit_code == 1
    assert re.search(r"idle\.yaml:\d+: .*2\.3\.2\.9", result.stdout)


@pytest.mark.slow  # a fresh interpreter
def test_module_entry_point_runs_in_a_fresh_process(tmp_path):
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "landrules", "decide", str(SAMPLE), "--as-of", "2021-10-01", "-o", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "engine"), os.environ.get("PYTHONPATH", "")])},
    )
    assert proc.returncode == 1, proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 40


def test_decide_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    """`decide` freezes what it set up and collects young objects less often while it decides
    (`cli.decide._old_objects_left_alone`); afterwards the process's collector is as before,
    even when the run fails."""
    import gc

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count() > 0  # (frozen objects freed leave it)
    assert run("decide", SAMPLE, "--as-of", "2021-10-01", "-o", tmp_path / "out.csv").exit_code in (0, 1)
    assert (gc.get_threshold(), gc.get_freeze_count() > 0) == (threshold, frozen)
    (tmp_path / "bad.csv").write_text("宗地编号,面积（亩）\nSL-1,1\n\"SL-2,2\n", encoding="utf-8")
    assert run("decide", tmp_path / "bad.csv", "--as-of", "2021-10-01", "-o", tmp_path / "bad-out.csv").exit_code == 2
    assert (gc.get_threshold(), gc.get_freeze_count() > 0) == (threshold, frozen)


def test_the_collector_pause_freezes_and_restores():
    """In a process that froze nothing (the command line's), the pause freezes what exists and
    unfreezes it afterwards; in one that froze its own objects, those stay frozen. The young threshold is raised, never lowered, and restored."""
    import gc

    from landrules.cli.decide import _YOUNG, _old_objects_left_alone

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    try:
        with _old_objects_left_alone():
            assert gc.get_threshold() == (_YOUNG, 10, 10)
            assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (700, 10, 10)
        assert gc.get_freeze_count() == 0
        gc.freeze()
        gc.set_threshold(20_000, 10, 10)
        with _old_objects_left_alone():
            assert gc.get_threshold() == (20_000, 10, 10)
        assert gc.get_threshold() == (20_000, 10, 10)
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*threshold)
        if frozen:
            gc.freeze()
        else:
            gc.unfreeze()
