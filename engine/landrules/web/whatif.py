"""What-if: a parameter changed in a private copy of the rulebook, the ledger decided again,
and the decisions compared. Nothing the browser sends is written into the rulebook's folder:
the copy lives in the session's folder, is loaded (and linted) like any rulebook, and goes
away with the session."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from landrules.rulebook.load import load_rulebook
from landrules.rulebook.model import PARAMETERS_FILE, Rulebook
from landrules.rulebook.problems import RulebookError


class WhatIfError(ValueError):
    """A change that cannot be tried; str() names the problem, in Chinese."""


if TYPE_CHECKING:
    from landrules.decide.diff.compare import DiffResult


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
    unit = "" if param.unit == "日期" else f" {param.unit}"
    words = f"参数 {param_id}（{param.description}）自 {dated.since} 起的取值：{_show(old)} → {_show(value)}{unit}"
    return patched, words


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_FILES, MAX_BYTES = 200, 20 * 1024 * 1024  # an uploaded rules folder: YAML files, not a zip bomb


def uploaded_rulebook(archive: Path, folder: Path, policy_dir: Path) -> tuple[Rulebook, str]:
    """A rules folder uploaded as a ZIP: its `*.yaml` files (at the top, or in one folder such as
    rules/) extracted by name only into `folder` (no paths taken from the archive), then loaded
    and linted like any rulebook (safe YAML). Raises WhatIfError naming the problem."""
    import zipfile

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        book = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise WhatIfError("上传的规则文件夹不是有效的 ZIP 压缩包") from None
    with book:
        members = [m for m in book.infolist() if not m.is_dir() and m.filename.lower().endswith(".yaml")
                   and not Path(m.filename).name.startswith(".")]
        if not members:
            raise WhatIfError("ZIP 中没有 .yaml 规则文件（应包含 outcomes.yaml、parameters.yaml 与规则文件）")
        parents = {Path(m.filename).parent for m in members}
        if len(parents) > 1:
            raise WhatIfError("ZIP 中的 .yaml 文件应在同一个文件夹中，实在：" + "、".join(sorted(str(p) for p in parents)))
        if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_BYTES:
            raise WhatIfError(f"规则文件夹过大（至多 {MAX_FILES} 个文件、共 {MAX_BYTES // 2**20} MB）")
        for m in members:
            (folder / Path(m.filename).name).write_bytes(book.read(m))
    try:
        rulebook = load_rulebook(folder, policy_dir)
    except RulebookError as exc:
        shown = [str(p).replace(str(folder) + "/", "") for p in exc.problems[:8]]
        raise WhatIfError(f"上传的规则库未通过检查（{len(exc.problems)} 处问题）：" + "；".join(shown)) from None
    return rulebook, f"上传的规则文件夹（{len(members)} 个文件：{'、'.join(sorted(Path(m.filename).name for m in members))}）"


def compare_decided(before: Path, after: Path, summary_before, summary_after, hashes: tuple[str, str],
                    as_of: dt.date, engine: str) -> DiffResult:
    """`diff`'s result (decide.diff.DiffResult: changed parcels, moves of 宗数 / 面积 between
    outcome sets) from two decided session tables, compared on diff's own columns (COMPARED).

    Not `diff_ledger` itself: it reads the ledger without the column map and without setting
    合计 rows aside, so on the session's ledger it would not decide what the session decided."""
    import pandas as pd
    import pyarrow.compute as pc

    from landrules.decide.diff.compare import COMPARED, DIFF_COLUMNS, NO_OUTCOME, SHOWN, DiffResult, _aspects
    from landrules.web.table import read_index

    names = ["row", "parcel_id", "area_mu", *COMPARED]
    old, new = read_index(before, names), read_index(after, names)
    result = DiffResult(hashes[0], hashes[1], as_of, engine, rows=old.num_rows, compared=summary_before.decided,
                        before=summary_before, after=summary_after)
    if not old.num_rows:
        return result
    changed = None
    for name in COMPARED:
        differs = pc.not_equal(pc.fill_null(old.column(name), ""), pc.fill_null(new.column(name), ""))
        changed = differs if changed is None else pc.or_(changed, differs)
    old_rows, new_rows = old.filter(changed).to_pylist(), new.filter(changed).to_pylist()
    records = []
    for b, a in zip(old_rows, new_rows):
        b = {k: v or "" for k, v in b.items()}
        a = {k: v or "" for k, v in a.items()}
        aspects = _aspects(b, a)
        before_codes, after_codes = b["outcome_codes"] or NO_OUTCOME, a["outcome_codes"] or NO_OUTCOME
        area = b["area_mu"] if isinstance(b["area_mu"], float) and b["area_mu"] == b["area_mu"] else 0.0
        result.moves[(before_codes, after_codes, "" if before_codes != after_codes else aspects)].add(1, area)
        result.changed += 1
        result.changed_area_mu += area
        records.append({"row": b["row"], "parcel_id": b["parcel_id"] or None, "area_mu": b["area_mu"] or None,
                        "changed": aspects, **{f"{c}_{side}": row[c] for c in SHOWN
                                                for side, row in (("before", b), ("after", a))}})
    if records:
        result.frames.append(pd.DataFrame(records, columns=list(DIFF_COLUMNS)))
    return result
