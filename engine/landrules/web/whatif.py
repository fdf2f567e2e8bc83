"""What-if: a parameter changed in a private copy of the rulebook, the ledger decided again,
and the decisions compared. Nothing the browser sends is written into the rulebook's folder:
the copy lives in the session's folder, is loaded (and linted) like any rulebook, and goes
away with the session."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml

from landrules.rulebook.load import load_rulebook
from landrules.rulebook.model import PARAMETERS_FILE, Rulebook
from landrules.rulebook.problems import RulebookError


class WhatIfError(ValueError):
    """A change that cannot be tried; str() names the problem, in Chinese."""


def parse_value(rulebook: Rulebook, param_id: str, text: str):
    param = rulebook.parameters.get(param_id)
    if param is None:
        raise WhatIfError(f"没有参数 {param_id!r}")
    text = (text or "").strip()
    current = param.values[0].value
    if isinstance(current, dt.date):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise WhatIfError(f"参数 {param_id} 的取值应为日期 YYYY-MM-DD，实为 {text!r}") from None
    try:
        value = float(text)
    except ValueError:
        raise WhatIfError(f"参数 {param_id} 的取值应为数字，实为 {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise WhatIfError(f"参数 {param_id} 的取值应为有限的数字，实为 {text!r}")
    return value


def patched_rulebook(rulebook: Rulebook, rules_dir: Path, policy_dir: Path, folder: Path,
                     param_id: str, value, as_of: dt.date) -> tuple[Rulebook, str]:
    """A copy of `rules_dir` in `folder` whose parameter `param_id` takes `value` for the
    value in force on `as_of`; loaded and linted. Returns (rulebook, what changed, in words)."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(rules_dir, folder, ignore=shutil.ignore_patterns(".*"))
    path = folder / PARAMETERS_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    param = rulebook.parameters[param_id]
    dated = param.in_force(as_of)
    entries = data["parameters"][param_id]["values"]
    index = next(i for i, e in enumerate(entries) if _date(e["from"]) == dated.since)
    old = entries[index]["value"]
    entries[index]["value"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        patched = load_rulebook(folder, policy_dir)
    except RulebookError as exc:
        raise WhatIfError("修改后的规则库未通过检查：" + "；".join(str(p) for p in exc.problems[:5])) from None
    words = f"参数 {param_id}（{param.description}）自 {dated.since} 起的取值：{_show(old)} → {_show(value)} {param.unit}"
    return patched, words


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
