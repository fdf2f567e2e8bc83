"""`report --run RUN [--since RUN] -o OUT`: the 季度通报 of a recorded run, from the store alone
(contract §7): the recorded rows and decisions, the run's own evaluation date and rulebook (for
the labels), and with `--since` the 本季进展 between the two runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import fail
from landrules.cli.record.options import find_run, open_store, run_rulebook


def report_of_run(run_spec: str, since: Optional[str], output: Path, store_option: Optional[Path]) -> None:
    from landrules.ledger.write.base import Labels, OutputError
    from landrules.record.progress import compare
    from landrules.record.reread import RecordedRun
    from landrules.report.progress_tables import progress_tables
    from landrules.report.writer import ReportWriter

    with open_store(store_option, readonly=True) as store:
        run = find_run(store, run_spec)
        before = find_run(store, since) if since is not None else None
        if before is not None and before.id == run.id:
            raise fail(f"--since 与 --run 是同一期记录（{run.name}），无可比较")
        try:
            with run_rulebook(store, run) as rulebook:
                recorded = RecordedRun(store, run)

                def progress(summary):
                    return progress_tables(compare(store, before, run), rulebook.outcomes)

                writer = ReportWriter(output, recorded.headers, Labels.of(rulebook, run.as_of), recorded.names,
                                      ledger=f"{run.ledger}（记录 #{run.id} {run.label}）", progress=None if before is None else progress)
                try:
                    for chunk in recorded.chunks(rulebook):
                        writer.write(chunk.inputs, chunk.flat, [], chunk.parsed)
                    summary = recorded.summary()
                    writer.commit(summary)
                except BaseException:
                    writer.abort()
                    raise
        except LookupError as exc:
            raise fail(f"{exc}（未写出通报）") from None
        except OutputError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"无法写出 {output}: {exc}") from None
    since_text = f"，本季进展自 {before.name}" if before is not None else ""
    print(f"按记录 {run.name}（台账 {run.ledger}）：{summary.rows} 宗，已决策 {summary.decided} 宗，无效 {summary.invalid} 宗，"
          f"逾期 {summary.overdue.count} 宗{since_text}；通报 {output}", file=sys.stderr)
    raise typer.Exit(1 if summary.invalid else 0)
