"""`landrules check`: the Chinese policy scenarios run against the rulebook, with coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import PolicyOpt, RulesOpt, app, fail, load_checked_rulebook


@app.command(
    epilog="退出码 / exit: 0 全部通过 all pass · 1 有失败 some fail · 2 无场景或规则库无效 no scenarios, invalid rulebook.  "
    "例 / example: landrules check scenarios/ --mutations",
)
def check(
    scenarios: Optional[Path] = typer.Argument(None, help="场景目录 / scenarios folder (default: the bundled scenarios/)"),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
    mutations: bool = typer.Option(
        False, "--mutations",
        help="变异检验 / also mutate each rule (remove it, flip a comparison, move a threshold, drop a condition) "
        "and report `rules pinned: N/M` with the mutations no scenario noticed",
    ),
) -> None:
    """运行政策场景并报告覆盖率。Run the policy scenarios against the rulebook; report each scenario and the coverage."""
    from landrules.bdd.binding import (
        feature_files,  # pytest and pytest-bdd load only for this command
    )
    from landrules.bdd.report import report_lines
    from landrules.bdd.runner import run_check
    from landrules.rulebook import locate

    folder = scenarios if scenarios is not None else locate.bundled("scenarios")
    if not folder.is_dir():
        raise fail(f"场景目录 {folder} 不存在")
    if not feature_files(folder):
        raise fail(f"场景目录 {folder} 中没有 .feature 文件")
    rulebook = load_checked_rulebook(rules, policy)
    print(f"检查场景：{folder}（规则库 {rulebook.hash[:19]}…）", flush=True)
    result = run_check(folder, rulebook, mutations=mutations)
    for line in report_lines(result):
        print(line)
    raise typer.Exit(0 if result.passed else 1)
