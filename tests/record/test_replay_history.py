"""`replay` and `history` on the recorded sample quarters; the store's schema and its upgrade."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from record_helpers import Q4, record_two_quarters, run

from conftest import POLICY, RULES


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    record_two_quarters(path)
    return path


def test_recorded_decisions_are_decide_s_records(store, tmp_path):
    out = tmp_path / "d.jsonl"
    assert run("decide", Q4, "--as-of", "2021-10-01", "-o", out).exit_code == 1
    con = duckdb.connect(str(store), read_only=True)
    recorded = [r[0] for r in con.execute("SELECT record FROM decision_records WHERE run_id = 1 ORDER BY row").fetchall()]
    con.close()
    assert recorded == out.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("spec", ["1", "2022Q1"])
def test_replay_with_the_recorded_rulebook_gives_the_same_decisions(store, spec):
    result = run("replay", spec, store=store)
    assert result.exit_code == 0, result.output
    assert "全部 40 行的决策与记录一致" in result.stdout


def test_replay_lists_a_tampered_decision(store, tmp_path):
    copy = tmp_path / "store.duckdb"
    shutil.copy(store, copy)
    con = duckdb.connect(str(copy))
    con.execute("UPDATE decisions SET text_id = (SELECT text_id FROM decisions WHERE run_id = 1 AND parcel_id = 'SL-001') "
                "WHERE run_id = 1 AND parcel_id = 'SL-025'").fetchall()
    con.close()
    result = run("replay", "1", store=copy)
    assert result.exit_code == 1
    assert "1 行的决策与记录不同" in result.stdout and "SL-025" in result.stdout and "outcomes" in result.stdout


def test_replay_under_another_rulebook_is_diff_on_that_quarter(store, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    params = rules / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    # the low-efficiency lines 100 → 40 万元/亩 (产出) and 5 → 1.8 (税收): SL-025 (42.5, 2.1) is no longer low
    for name, old, new in (("low_efficiency.min_output_per_mu", "value: 100}", "value: 40}"),
                           ("low_efficiency.min_tax_per_mu", "value: 5}", "value: 1.8}")):
        at = text.index(name)
        assert old in text[at:]
        text = text[:at] + text[at:].replace(old, new, 1)
    params.write_text(text, encoding="utf-8")
    replayed = run("replay", "1", "--rules", rules, "--policy", POLICY, "-o", tmp_path / "r.jsonl", store=store)
    diffed = run("diff", Q4, "--against", RULES, "--rules", rules, "--policy", POLICY, "--as-of", "2021-10-01",
                 "-o", tmp_path / "d.jsonl")
    assert replayed.exit_code == diffed.exit_code == 1, replayed.output
    ids = lambda p: sorted(json.loads(line)["parcel_id"] for line in p.read_text(encoding="utf-8").splitlines())  # noqa: E731
    assert ids(tmp_path / "r.jsonl") == ids(tmp_path / "d.jsonl") and "SL-025" in ids(tmp_path / "r.jsonl")


def test_history_shows_the_facts_that_changed(store):
    result = run("history", "SL-017", "--json", store=store)
    assert result.exit_code == 0
    steps = json.loads(result.stdout)
    assert [s["label"] for s in steps] == ["2021Q4", "2022Q1"]
    assert "investigate_idle" in steps[0]["outcome_codes"] and steps[1]["outcome_codes"] == ["no_action"]
    assert steps[1]["changed"]["construction_started_on"] == {"before": None, "after": "2021-11-15"}
    assert steps[0]["rulebook"].startswith("sha256:")
    text = run("history", "SL-017", store=store).stdout
    assert "变化的事实" in text and "无需处置" in text
    assert "开工日期 （空） → 2021-11-15" in text and "construction_started_on" not in text  # officers read Chinese
    assert run("history", "SL-999", store=store).exit_code == 2


def test_migrations_are_numbered_in_order():
    from landrules.record.schema import MIGRATIONS, SCHEMA_VERSION, check_order

    check_order()
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 1


def test_an_older_store_is_upgraded_in_place(store, tmp_path, monkeypatch):
    from landrules.record import schema
    from landrules.record import store as store_module
    from landrules.record.store import Store

    copy = tmp_path / "old.duckdb"
    shutil.copy(store, copy)
    extra = schema.Migration(len(schema.MIGRATIONS) + 1, "a later table", ("CREATE TABLE later (x INTEGER)",
                                                                            "INSERT INTO later VALUES (7)"))
    monkeypatch.setattr(store_module, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", extra.version)
    with Store.open(copy, readonly=True) as opened:  # even a reader upgrades first
        assert opened.version() == extra.version
        assert opened.con.execute("SELECT x FROM later").fetchall() == [(7,)]
        assert opened.con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == 2


def test_a_failing_migration_leaves_the_store_at_its_version(store, tmp_path, monkeypatch):
    from landrules.record import schema
    from landrules.record import store as store_module
    from landrules.record.store import Store

    copy = tmp_path / "old.duckdb"
    shutil.copy(store, copy)
    broken = schema.Migration(len(schema.MIGRATIONS) + 1, "broken", ("CREATE TABLE half (x INTEGER)", "SELECT nonsense FROM nowhere"))
    monkeypatch.setattr(store_module, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", broken.version)
    with pytest.raises(duckdb.Error):
        Store.open(copy)
    con = duckdb.connect(str(copy), read_only=True)
    assert con.execute("SELECT value FROM meta").fetchall()[0][0] == str(len(schema.MIGRATIONS))
    assert not con.execute("SELECT * FROM information_schema.tables WHERE table_name = 'half'").fetchall()
    con.close()


def test_the_store_is_found_by_option_then_environment_then_data_folder(tmp_path, monkeypatch):
    from landrules.record.locate import ENV, store_path

    monkeypatch.setenv(ENV, str(tmp_path / "env.duckdb"))
    assert store_path(tmp_path / "opt.duckdb") == tmp_path / "opt.duckdb"
    assert store_path(None) == tmp_path / "env.duckdb"
    monkeypatch.delenv(ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store_path(None) == tmp_path / "data" / "landrules" / "landrules-record.duckdb"
    result = run("runs", store=tmp_path / "x.duckdb")
    assert f"记录库: {tmp_path / 'x.duckdb'}" in result.output


def test_recording_makes_no_json_line_per_row(tmp_path, monkeypatch):
    """The record keeps each decision text once: `decide --record -o x.csv` serialises no row."""
    def no_lines(*args, **kwargs):
        raise AssertionError("a JSON line per row was made")

    monkeypatch.setattr("landrules.decide.batch._json_lines", no_lines)
    store = tmp_path / "store.duckdb"
    result = run("decide", Q4, "--as-of", "2021-10-01", "--record", "-o", tmp_path / "d.csv", store=store)
    assert result.exit_code == 1, result.output  # the sample's 2 invalid rows
    assert "已记录第 1 期" in result.output
    monkeypatch.undo()  # replay compares JSON lines
    assert run("replay", "1", store=store).exit_code == 0
