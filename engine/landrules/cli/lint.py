"""`landrules lint` and `landrules schema`: the rulebook checked, and its JSON Schemas for editors."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from landrules.cli.app import AsOfOpt, PolicyOpt, RulesOpt, app, engine_checked, err, fail


@app.command(
    epilog="退出码 / exit: 0 无问题 clean · 1 有问题（--strict 时含提醒） problems found.  "
    "例 / example: landrules lint --rules rules/ --strict",
)
def lint(
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
    strict: bool = typer.Option(False, "--strict", help="提醒也算失败 / fail on warnings too (gaps, overrides without effect)"),
    ledger: Optional[Path] = typer.Option(
        None, "--ledger", help="预览台账 / a ledger: print the one-line diff of this rulebook against --against on it"
    ),
    against: str = typer.Option("HEAD", "--against", help="预览对比的规则库 / with --ledger: a rules folder or git revision (default HEAD)"),
    as_of: Optional[str] = AsOfOpt,
    lang: Optional[str] = typer.Option(None, "--lang", help="提示语言 / message language: zh (default) or en; also $LANDRULES_LANG"),
) -> None:
    """检查规则库（不作决策），每处问题一行 FILE:LINE: 说明。Check the rulebook without deciding anything.

    docs/rules.zh.md explains each message."""
    import os

    from landrules.rulebook import locate
    from landrules.rulebook.load import load_rulebook
    from landrules.rulebook.messages import LANG_ENV, LANGUAGES
    from landrules.rulebook.problems import RulebookError

    if lang is not None:
        if lang not in LANGUAGES:
            raise fail(f"--lang {lang!r}: 可选 / one of {', '.join(LANGUAGES)}")
        os.environ[LANG_ENV] = lang
    try:
        rulebook = engine_checked(load_rulebook(locate.rules_dir(rules), locate.policy_dir(policy)))
    except RulebookError as exc:
        for problem in exc.problems:
            print(problem)
        err.print(f"规则库有 {len(exc.problems)} 处问题（说明见 docs/rules.zh.md）", markup=False)
        raise typer.Exit(1) from None
    for warning in rulebook.warnings:
        print(warning)
    summary = f"{len(rulebook.rules)} 条规则，{len(rulebook.parameters)} 个参数，{rulebook.hash}"
    if rulebook.warnings:
        err.print(f"规则库无错误，有 {len(rulebook.warnings)} 处提醒（warning）：{summary}", markup=False)
        if ledger is not None:
            from landrules.cli.diff import preview

            preview(ledger, rulebook, against, rules, policy, as_of)
        raise typer.Exit(1 if strict else 0)
    err.print(f"规则库无问题：{summary}", markup=False)
    if ledger is not None:
        from landrules.cli.diff import preview

        preview(ledger, rulebook, against, rules, policy, as_of)


@app.command(
    epilog="退出码 / exit: 0 · 2 无法写出 cannot write.  例 / example: landrules schema --out schemas/",
)
def schema(
    out: Path = typer.Option(Path("schemas"), "--out", help="输出目录 / folder to write the JSON Schemas into"),
    rules: Optional[Path] = RulesOpt,
    policy: Optional[Path] = PolicyOpt,
) -> None:
    """写出规则、参数、处置目录与政策文件的 JSON Schema（供编辑器校验）。Write the JSON Schemas of the rulebook's files."""
    from landrules.rulebook import locate
    from landrules.rulebook.schema import write_schemas

    try:
        written = write_schemas(out, locate.rules_dir(rules), locate.policy_dir(policy))
    except OSError as exc:
        raise fail(f"无法写出 {out}: {exc}") from None
    for path in written:
        err.print(f"已写出 {path}", markup=False)
