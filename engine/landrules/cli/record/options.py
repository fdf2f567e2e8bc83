"""What every command that uses the record of runs shares: `--store`, opening it (its place on
stderr; a newer, damaged or busy store is one line and exit 2), naming a run, and loading the
rulebook a run was decided under."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import fail

StoreOpt = typer.Option(None, "--store", help="记录库 / the record of runs (DuckDB file; default: $LANDRULES_STORE, then the user's data folder)")


def open_store(option: Optional[Path], readonly: bool = False, wait: float | None = None):
    """The store, its place said on stderr; exit 2 with one line when it cannot be used. A
    process finding it in use waits `wait` seconds (default: $LANDRULES_STORE_WAIT, then 60)."""
    from landrules.record.locate import store_path, where_line
    from landrules.record.store import DEFAULT_WAIT, Store, StoreError

    if wait is None and os.environ.get("LANDRULES_STORE_WAIT"):
        try:
            wait = float(os.environ["LANDRULES_STORE_WAIT"])
        except ValueError:
            raise fail(f"LANDRULES_STORE_WAIT={os.environ['LANDRULES_STORE_WAIT']!r}：应为秒数") from None
    path = store_path(option)
    print(where_line(path), file=sys.stderr)
    try:
        return Store.open(path, readonly=readonly, wait=DEFAULT_WAIT if wait is None else wait)
    except StoreError as exc:
        raise fail(str(exc)) from None


def find_run(store, spec: Optional[str], default_back: int = 0):
    """A run by id or label (the latest with that label); None: the latest but `default_back`."""
    from landrules.record.runs import RunNotFound, resolve_run

    try:
        return resolve_run(store, spec, default_back)
    except RunNotFound as exc:
        raise fail(str(exc)) from None

# `decide --record` and `report --record` record the run the same way: one declaration of each option
RecordOpt = typer.Option(False, "--record", help="记录本期台账 / record the run in the record of runs (contract §7)")
LabelOpt = typer.Option(None, "--label", help="记录标签 / the run's label (default: the evaluation date's quarter, e.g. 2021Q4)")


@contextmanager
def run_rulebook(store, run) -> Iterator:
    """The rulebook `run` was decided under, loaded from the files the store keeps for it (exit 2
    with one line when they do not load); a LookupError when the store has none."""
    from landrules.record.replay import recorded_rulebook
    from landrules.rulebook.load import load_rulebook
    from landrules.rulebook.problems import RulebookError

    with recorded_rulebook(store, run) as (rules_dir, policy_dir):
        try:
            rulebook = load_rulebook(rules_dir, policy_dir)
        except RulebookError as exc:
            raise fail(f"{run.name} 记录的规则库无法载入（{len(exc.problems)} 处问题）") from None
        yield rulebook
