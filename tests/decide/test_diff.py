"""`landrules diff`: the parcels a rulebook change decides differently (contract §2)."""

import json
import shutil
import subprocess
import sys
import tempfile

import openpyxl
import pandas as pd
import pytest

from conftest import POLICY, ROOT, RULES
from conftest import RUNNER as runner
from landrules.cli import app

sys.path.insert(0, str(ROOT / "bench"))
from synthetic import parcels as synthetic_parcels  # noqa: E402

LEDGER = ROOT / "examples" / "shilong-ledger.csv"
AS_OF = "2021-10-01"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def move_cut_off(rules, day="2019-12-31"):
    path = rules / "parameters.yaml"
    text = path.read_text(encoding="utf-8")
    assert "value: 2018-12-31}" in text
    path.write_text(text.replace("value: 2018-12-31}", f"value: {day}}}"), encoding="utf-8")


def lower_output_threshold(rules):
    path = rules / "parameters.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{from: 2021-06-22, value: 200}" in text
    path.write_text(text.replace("{from: 2021-06-22, value: 200}", "{from: 2021-06-22, value: 50}"), encoding="utf-8")


def decided(tmp_path, ledger, rules, policy, name, *extra):
    out = tmp_path / f"{name}.csv"
    result = invoke("decide", ledger, "--as-of", AS_OF, "--rules", rules, "--policy", policy, "-o", out, *extra)
    assert result.exit_code in (0, 1), result.output
    return pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def differing_parcels(before, after):
    """Parcel ids whose decision columns differ between two `decide` outputs (the hash aside)."""
    columns = ["categories", "outcome_codes", "outcome_labels", "citations", "deadline", "responsible",
               "needs", "errors", "overdue"]
    differs = (before[columns] != after[columns]).any(axis=1)
    return set(after.loc[differs, "宗地编号" if "宗地编号" in after else "parcel_id"])


def diff_rows(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture
def changed_copy(rulebook_copy):
    rules, policy = rulebook_copy
    move_cut_off(rules)
    return rules, policy


def test_diff_lists_exactly_the_parcels_two_decide_runs_disagree_on(tmp_path, changed_copy):
    rules, policy = changed_copy
    expected = differing_parcels(decided(tmp_path, LEDGER, RULES, POLICY, "before"),
                                 decided(tmp_path, LEDGER, rules, policy, "after"))
    assert expected, "the cut-off moved to 2019-12-31 must change some parcel of the sample ledger"
    result = invoke("diff", LEDGER, "--against", RULES, "--rules", rules, "--policy", policy, "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    rows = diff_rows(result.stdout)
    assert {r["parcel_id"] for r in rows} == expected
    sl008 = next(r for r in rows if r["parcel_id"] == "SL-008")
    # before: used before supply, not qualifying for title -> digest_unsupplied (contract §5 Revised: no 无需处置)
    assert sl008["outcome_codes_before"] == ["digest_unsupplied"] and sl008["outcome_codes_after"] == ["regularise"]
    assert sl008["deadline_after"] == ["2021-12-31"] and sl008["changed"] == ["outcomes", "deadline"]
    assert sl008["row"] == 9 and sl008["area_mu"] == 41.0
    assert "1 宗 digest_unsupplied → regularise" in result.stderr
    assert "比较 38 宗，1 宗决定有变化（41.00 亩）" in result.stderr


def test_a_rulebook_against_itself_changes_nothing(tmp_path):
    copy = tmp_path / "same"
    shutil.copytree(RULES, copy)
    result = invoke("diff", LEDGER, "--against", copy, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "决定无变化" in result.stderr


def test_a_folder_holding_rules_and_policy(tmp_path, changed_copy, monkeypatch):
    checkout = tmp_path / "checkout"
    shutil.copytree(RULES, checkout / "rules")
    shutil.copytree(POLICY, checkout / "policy")
    rules, policy = changed_copy
    monkeypatch.chdir(tmp_path)
    result = invoke("diff", LEDGER, "--against", "checkout", "--rules", rules, "--policy", policy, "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    assert [r["parcel_id"] for r in diff_rows(result.stdout)] == ["SL-008"]
    assert "对比 checkout" in result.stderr


def test_many_changes_on_a_synthetic_ledger_with_the_vectorised_engine(tmp_path, rulebook_copy):
    rules, policy = rulebook_copy
    move_cut_off(rules)
    lower_output_threshold(rules)
    ledger = tmp_path / "big.csv"
    pd.DataFrame(synthetic_parcels(3000)).assign(parcel_id=lambda f: [f"P{i}" for i in range(len(f))]).to_csv(ledger, index=False)
    expected = differing_parcels(
        decided(tmp_path, ledger, RULES, POLICY, "before", "--engine", "vectorized"),
        decided(tmp_path, ledger, rules, policy, "after", "--engine", "vectorized"),
    )
    out = tmp_path / "changes.csv"
    result = invoke("diff", ledger, "--against", RULES, "--rules", rules, "--policy", policy, "--as-of", AS_OF,
                    "--engine", "vectorized", "-o", out)
    assert result.exit_code == 1, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(expected) > 10 and set(table["parcel_id"]) == expected and len(table) == len(expected)
    # the summary's moves add up to the changed parcels
    moves = [line for line in result.stderr.splitlines() if "│" in line and "宗数" not in line]
    assert moves and f"{len(expected)} 宗决定有变化" in result.stderr
    # parcels that keep their outcomes but need other facts are told apart: the summary names each
    # such move (since the map facts of wave 3 every synthetic parcel is also told to verify its
    # boundary, so the move reads "verify_boundary+needs_information → …（需补充信息有变）")
    same = table[table["outcome_codes_before"] == table["outcome_codes_after"]]
    assert len(same) and (same["needs_before"] != same["needs_after"]).all()
    for codes, count in same["outcome_codes_after"].value_counts().items():
        move = codes.replace("; ", "+")
        assert f"{count} 宗 {move} → {move}（需补充信息有变）" in result.stderr, (move, result.stderr)


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path):
    """A git repository holding rules/ and policy/: an empty commit, the shipped rulebook (tag v1)."""
    repo = tmp_path / "repo"
    shutil.copytree(RULES, repo / "rules")
    shutil.copytree(POLICY, repo / "policy")
    _git(repo, "init", "-q")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "rulebook")
    _git(repo, "tag", "v1")
    return repo


def test_a_git_revision_of_the_rulebooks_repository(tmp_path, repo, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    move_cut_off(repo / "rules")
    _git(repo, "commit", "-q", "-am", "move the cut-off")
    git = lambda *args: _git(repo, *args)  # noqa: E731
    rules, policy = repo / "rules", repo / "policy"
    expected = differing_parcels(decided(tmp_path, LEDGER, RULES, POLICY, "before"),
                                 decided(tmp_path, LEDGER, rules, policy, "after"))
    for rev in ("HEAD~1", "v1"):
        result = invoke("diff", LEDGER, "--against", rev, "--rules", rules, "--policy", policy, "--as-of", AS_OF)
        assert result.exit_code == 1, result.output
        assert {r["parcel_id"] for r in diff_rows(result.stdout)} == expected
        assert f"git {rev}" in result.stderr
    same = invoke("diff", LEDGER, "--against", "HEAD", "--rules", rules, "--policy", policy, "--as-of", AS_OF)
    assert same.exit_code == 0, same.output
    assert git("status", "--porcelain").stdout == ""  # nothing checked out, nothing left behind
    assert not list(scratch.iterdir())  # the revision's temporary folder is gone
    # a revision without the rulebook, and a name that is neither a folder nor a revision
    empty = invoke("diff", LEDGER, "--against", "HEAD~2", "--rules", rules, "--policy", policy, "--as-of", AS_OF)
    assert empty.exit_code == 2 and "没有规则目录" in empty.output
    nothing = invoke("diff", LEDGER, "--against", "no-such-rev", "--rules", rules, "--policy", policy)
    assert nothing.exit_code == 2 and "既不是目录，也不是仓库" in nothing.output


def test_the_officers_workbook_has_chinese_headers_and_the_move_matrix(tmp_path, changed_copy):
    rules, policy = changed_copy
    out = tmp_path / "changes.xlsx"
    result = invoke("diff", LEDGER, "--against", RULES, "--rules", rules, "--policy", policy, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["变化", "汇总"]
    rows = list(book["变化"].values)
    assert rows[0][:6] == ("行号", "宗地编号", "面积（亩）", "变化内容", "类别（原）", "类别（新）")
    assert "处置措施（新）" in rows[0] and "完成时限（原）" in rows[0]
    record = dict(zip(rows[0], rows[1]))
    assert record["宗地编号"] == "SL-008" and record["变化内容"] == "处置措施; 完成时限"
    assert record["类别（新）"] == "批而未供; 已批未供即用" and record["处置代码（新）"] == "regularise"
    summary = [r for r in book["汇总"].values if r and r[0]]
    assert ("决定有变化", 1) in [r[:2] for r in summary]
    move = next(r for r in summary if str(r[0]).startswith("加快征地拆迁"))  # digest_unsupplied (contract §5 Revised)
    assert move[1].startswith("完善用地手续") and move[2:4] == (1, 41)
    totals = {r[1]: r[2:5] for r in summary if len(r) > 4 and r[1] in ("regularise", "no_action", "digest_unsupplied")}
    assert totals["regularise"] == (3, 4, "115.00 → 156.00")
    assert totals["no_action"][0] == totals["no_action"][1]  # SL-008 was never 无需处置 (contract §5 Revised)
    before, after, area = totals["digest_unsupplied"]
    assert after == before - 1 and area.endswith(f"{float(area.split(' → ')[0]) - 41:.2f}")


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_other_formats(tmp_path, changed_copy, suffix):
    rules, policy = changed_copy
    out = tmp_path / f"changes{suffix}"
    result = invoke("diff", LEDGER, "--against", RULES, "--rules", rules, "--policy", policy, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 1, result.output
    if suffix == ".parquet":
        table = pd.read_parquet(out)
        assert list(table["parcel_id"]) == ["SL-008"] and table["outcome_codes_after"][0] == "regularise"
    else:
        assert [r["parcel_id"] for r in diff_rows(out.read_text(encoding="utf-8"))] == ["SL-008"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_nothing_compared_exits_2(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("宗地编号,面积（亩）\n", encoding="utf-8")
    result = invoke("diff", empty, "--against", RULES)
    assert result.exit_code == 2 and "没有可比较的宗地" in result.output
    assert invoke("diff", tmp_path / "missing.csv", "--against", RULES).exit_code == 2
    assert invoke("diff", LEDGER, "--against", RULES, "-o", tmp_path / "x.txt").exit_code == 2
    broken = tmp_path / "broken"
    shutil.copytree(RULES, broken)
    (broken / "idle.yaml").write_text("rules: [", encoding="utf-8")
    result = invoke("diff", LEDGER, "--against", broken)
    assert result.exit_code == 2 and "对比的规则库" in result.output


def test_lint_previews_the_change_against_the_committed_rulebook(repo):
    rules, policy = repo / "rules", repo / "policy"
    clean = invoke("lint", "--rules", rules, "--policy", policy, "--ledger", LEDGER, "--as-of", AS_OF)
    assert clean.exit_code == 0, clean.output
    assert "预览" in clean.stdout and "决定无变化" in clean.stdout
    move_cut_off(rules)  # edited, not committed: the preview compares with HEAD
    result = invoke("lint", "--rules", rules, "--policy", policy, "--ledger", LEDGER, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("预览")]
    assert "对比 git HEAD" in line and "1 宗决定有变化（41.00 亩）：1 宗 digest_unsupplied → regularise" in line  # contract §5 Revised
    folder = invoke("lint", "--rules", rules, "--policy", policy, "--ledger", LEDGER, "--as-of", AS_OF,
                    "--against", RULES)
    assert "1 宗 digest_unsupplied → regularise" in folder.stdout  # contract §5 Revised
    bad = invoke("lint", "--rules", rules, "--policy", policy, "--ledger", LEDGER, "--against", "nope")
    assert bad.exit_code == 2 and "nope" in bad.output
