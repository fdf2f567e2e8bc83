"""Every command that writes a file refuses to write over one of its inputs (exit 2, input intact).

One safe write (`ledger/write/base.safe_output`) serves them all: the same path, another spelling
of it, or a link to it are refused before anything is written.
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import ROOT, invoke

SAMPLE = ROOT / "examples" / "shilong-ledger.csv"
STATUS = ROOT / "examples" / "tasks-status.yaml"


@pytest.fixture
def ledger_csv(tmp_path):
    target = tmp_path / "L.csv"
    shutil.copyfile(SAMPLE, target)
    return target


@pytest.fixture
def ledger_xlsx(tmp_path):
    import pandas as pd

    target = tmp_path / "L.xlsx"
    pd.read_csv(SAMPLE, dtype=str).to_excel(target, index=False)
    return target


def _refused(args, victim):
    before = victim.read_bytes()
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert victim.read_bytes() == before
    assert not [p for p in victim.parent.iterdir() if p.name.endswith(".part")]
    return result


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_diff_refuses_to_write_over_its_ledger(ledger_csv, spelling):
    output = {
        "same": lambda: ledger_csv,
        "dotted": lambda: ledger_csv.parent / "." / ledger_csv.name,
        "symlink": lambda: _link(ledger_csv, "link.csv", os.symlink),
        "hardlink": lambda: _link(ledger_csv, "hard.csv", os.link),
    }[spelling]()
    _refused(["diff", str(ledger_csv), "--against", str(ROOT / "rules"), "--as-of", "2021-10-01", "-o", str(output)], ledger_csv)


def _link(target, name, make):
    link = target.parent / name
    make(target, link)
    return link


def test_decide_refuses_to_write_over_its_ledger(ledger_csv):
    _refused(["decide", str(ledger_csv), "--as-of", "2021-10-01", "-o", str(ledger_csv)], ledger_csv)


def test_report_refuses_to_write_over_its_ledger(ledger_xlsx):
    _refused(["report", str(ledger_xlsx), "--as-of", "2021-10-01", "-o", str(ledger_xlsx)], ledger_xlsx)


def test_tasks_refuses_to_write_over_its_status_file(tmp_path):
    status = tmp_path / "status.csv"  # a YAML status file whose name ends in an output extension
    shutil.copyfile(STATUS, status)
    _refused(["tasks", "--status", str(status), "--as-of", "2022-01-01", "-o", str(status)], status)


def test_diff_still_writes_elsewhere(ledger_csv, tmp_path):
    out = tmp_path / "changes.csv"
    result = invoke("diff", ledger_csv, "--against", ROOT / "rules", "--as-of", "2021-10-01", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
