"""The base of every decision writer: atomic temp files, formula defusing, column naming.

`decide.outputs.open_writer(path, input_headers, labels)` picks the writer by the extension. The caller feeds
it chunks in input order (`write(inputs, flat, jsonl)`) and finishes with `commit(summary)`:

- every writer writes into a hidden temp file beside `path` (`.NAME.landrules-PID-XXXX.part`,
  see `temp_file`); nothing appears at `path` until `commit()` renames it into place
  (`os.replace`), with the usual permissions (0o666 & ~umask); `abort()` (or an exception
  inside `with`) deletes it; a run killed outright (SIGKILL, power cut) leaves its temp files,
  and the next writer into that folder removes those whose process is gone;
- `path` must not be an input of the run (`refuse_inputs`): same path, `./` path, symlink or
  hard link to it;
- CSV cells that a spreadsheet would run as a formula (text beginning with = + - @ TAB CR)
  are written with a leading "'" (CSV has no cell types); XLSX writes them unchanged as string
  cells with quotePrefix (`xlsx_cells.py`); JSONL and Parquet keep values exactly;
- the same input gives byte-identical files (XLSX timestamps are fixed, see `xlsx.py`).

Column order (contract §4): the input columns under their original headers, then
`DECISION_COLUMNS`, then `EXTRA_COLUMNS` (XLSX: under Chinese headers).
"""

from __future__ import annotations

import datetime as dt
import errno
import math
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from landrules.core.decision import DECISION_COLUMNS, EXTRA_COLUMNS
from landrules.ledger.validate.cells import float_text
from landrules.ledger.write.flat import FlatColumns
from landrules.ledger.write.writeback import Writeback

if TYPE_CHECKING:
    from landrules.core.summary import Summary
    from landrules.ledger.validate.frame import ParsedFrame

FORMATS = (".jsonl", ".csv", ".xlsx", ".parquet")
OUTPUT_COLUMNS = DECISION_COLUMNS + EXTRA_COLUMNS
OPTIONAL_COLUMN = "idle_fee_amount"  # added in wave 3: a flat frame made without it has no fee
RISKY = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet runs as a formula
# control characters XML cannot carry (TAB, LF and CR are text); the CSV and XLSX outputs show
# them as their escapes, as messages quote them, so a cell reads alike in both (issue 23)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# a risky start as a regex in RE2's syntax too (Arrow's match_substring_regex)
RISKY_START = "^[" + "".join("\\" + c if c in "-\\" else c for c in RISKY) + "]"


def show_controls(text: str) -> str:
    """Text with its control characters written as escapes (NUL as \\x00)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class OutputError(Exception):
    """An output that cannot be written; str() is one line, in Chinese."""


def output_format(path: Path, formats: Sequence[str] = FORMATS) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        raise OutputError(f"不支持的输出格式 {Path(path).name!r}：扩展名应为 {', '.join(formats)}")
    return suffix


@dataclass(frozen=True)
class Target:
    """A figure the plan aims at, e.g. 工业用地亩均税收 6 万元/亩 (a parameter with its citation)."""

    value: float
    unit: str
    cites: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Labels:
    """Chinese labels for codes, from the rulebook (`rulebook.categories`, `rulebook.outcomes`),
    the headings of the clauses decisions cite, and the plan's targets the reports measure."""

    categories: dict[str, str] = field(default_factory=dict)  # code -> 中文, e.g. idle -> 闲置
    outcomes: dict[str, str] = field(default_factory=dict)  # code -> 中文 label
    clauses: dict[str, str] = field(default_factory=dict)  # "DOC CLAUSE" -> heading
    tax_target: Target | None = None  # parameter target.tax_per_mu
    # category -> (公布清单 kind, categories that keep it off the list); outcomes.yaml `published`
    published: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # code -> 形成原因 wording (outcomes.yaml)
    unpublished: frozenset[str] = frozenset()  # outcomes that alone put no parcel on the 公布清单 (outcomes.yaml)
    printed: dict[str, str] = field(default_factory=dict)  # "DOC CLAUSE" -> "DOC 二、（三）2.（2）" as printed
    ledger_title: str | None = None  # the ledger's own title row, when reading found one (the workbook keeps it)

    def cite(self, ref: str) -> str:
        """A "DOC CLAUSE" reference as an officer reads it: the clause number as printed, then its heading."""
        shown = self.printed.get(ref, ref)
        return f"{shown}（{self.clauses[ref]}）" if ref in self.clauses else shown

    @classmethod
    def of(cls, rulebook: Any, as_of: dt.date | None = None) -> Labels:
        clauses = {
            f"{doc} {clause}": cited.heading.rstrip("。；;，, ")
            for (doc, clause), cited in rulebook.policy.clauses.items() if cited.heading
        }
        target = None
        param = rulebook.parameters.get(TAX_TARGET)
        if param is not None:
            value, _ = rulebook.param_value(TAX_TARGET, as_of or dt.date.today())
            if value is not None:  # no target in force before the plan's date
                target = Target(float(value), param.unit, tuple(str(c) for c in param.cites), param.description)
        catalogue = getattr(rulebook, "catalogue", None)
        published = catalogue.published if catalogue is not None else {}
        reasons = catalogue.reasons if catalogue is not None else {}
        printed = {f"{doc} {clause}": f"{doc} {cited.printed}" for (doc, clause), cited in rulebook.policy.clauses.items()}
        unpublished = frozenset(c for c in rulebook.outcomes if catalogue is not None and not catalogue.outcome_published(c))
        return cls(dict(rulebook.categories), dict(rulebook.outcomes), clauses, target, published, reasons, unpublished, printed)


TAX_TARGET = "target.tax_per_mu"  # rules/parameters.yaml


# --- cells -----------------------------------------------------------------------------------


def defuse(value: Any) -> Any:
    """Make a text cell that a spreadsheet would run as a formula show as text instead."""
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


def defuse_column(series: pd.Series) -> pd.Series:
    """`defuse` over a column; returns `series` itself when no cell needs it (the usual case)."""
    if len(series) == 0:
        return series
    if isinstance(series.dtype, pd.StringDtype):
        mask = series.str.startswith(RISKY).fillna(False).to_numpy(dtype=bool)
    else:
        values = series.to_numpy(dtype=object)
        try:  # fast screen: no "\0=" etc. in the joined text means no cell starts with one
            joined = "\0" + "\0".join(filter(None, values))
            if not any(f"\0{c}" in joined for c in RISKY):
                return series
        except TypeError:  # cells that are not text: check them one by one
            pass
        mask = np.fromiter((isinstance(v, str) and v.startswith(RISKY) for v in values),
                           dtype=bool, count=len(values))
    if not mask.any():
        return series
    out = series.copy()
    out[mask] = "'" + series[mask].astype(str)
    return out


def is_missing(value: Any) -> bool:
    """None, NaN, NaT, pd.NA and "" are written as empty cells (unlike `cells.is_empty`,
    whitespace is carried through as it was read)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def cell_text(value: Any) -> str | None:
    """A raw input cell as text (None when empty): dates as ISO, 45.0 as "45"."""
    if isinstance(value, str):
        return value or None
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return float_text(value)  # as the reader gives a numeric id: every output shows it alike
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def text_column(series: pd.Series) -> pd.Series:
    """An input column as text (None for empty cells), index reset to 0..n-1."""
    series = series.reset_index(drop=True)
    if isinstance(series.dtype, pd.StringDtype) or (
        series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
    ):
        return series
    return pd.Series([cell_text(v) for v in series.to_numpy(dtype=object)], dtype=object)


# --- temp files and inputs -------------------------------------------------------------------

TEMP_TAG = ".landrules-"
# .NAME.landrules-PID-RANDOM.part, .NAME.landrules-PID-RANDOM.sheet.part (the XLSX sheet streams)
_TEMP_NAME = re.compile(r"\..*\.landrules-(\d+)-[A-Za-z0-9_]+(?:\.[a-z]+)?\.part")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # another user's process; a bogus number
        return pid > 0
    return True


def sweep_stale(directory: Path) -> list[Path]:
    """Remove the temp files of landrules runs that were killed before they could clean up
    (their PID is no longer running); returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match and not _alive(int(match.group(1))):
            try:
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def temp_file(target: Path, suffix: str = ".part") -> tuple[int, Path]:
    """A new hidden temp file beside `target`, named so that a later run can tell it is a
    landrules temp file and whose process made it: (descriptor, path)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}{TEMP_TAG}{os.getpid()}-", suffix=suffix, dir=target.parent)
    return fd, Path(name)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (same path, another spelling, symlink or hard link)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_inputs(output: Path, inputs: Sequence[Path]) -> None:
    """OutputError when `output` is one of the run's input files: writing it would destroy them."""
    for source in inputs:
        if same_file(output, source):
            raise OutputError(f"输出文件 {output} 就是输入台账 {source}，写出会覆盖台账；请用 -o 另指一个文件")


# --- writers ---------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class DecisionWriter:
    """Base of the per-format writers: the temp file, commit and abort."""

    def __init__(self, path: Path, input_headers: Sequence[Any], labels: Labels | None = None):
        self.path = Path(path)
        self.input_headers = ["" if h is None else str(h) for h in input_headers]
        self.labels = labels if labels is not None else Labels()
        self.rows = 0  # data rows written so far
        self.invalid = 0  # of which with errors
        self._state = "open"
        self.parsed: ParsedFrame | None = None  # the chunk being written, as decided (see `write`)
        sweep_stale(self.path.parent)
        try:
            fd, self.tmp = temp_file(self.path)
        except OSError as exc:
            raise self._error(exc) from exc
        self._writeback = Writeback(self.tmp)  # the disk write started a stretch at a time, not all at commit
        try:
            self._open(fd)
        except BaseException as exc:
            self._give_up(exc)
            raise

    # subclasses: _open(fd) takes over the temp file's descriptor; _write(...) one chunk;
    # _finish(summary) completes and closes the temp file; _discard() closes it quietly.
    def _open(self, fd: int) -> None:
        os.close(fd)

    def _write(self, inputs: pd.DataFrame, flat: pd.DataFrame, jsonl: Sequence[str]) -> None:
        raise NotImplementedError

    def _finish(self, summary: Summary | None) -> None:
        pass

    def _discard(self) -> None:
        pass

    takes_flat_columns = False  # whether _write takes FlatColumns as they are (else a DataFrame)
    in_background = False  # whether writing on a thread of its own pays (the work is in pyarrow, GIL released)

    def write(self, inputs: pd.DataFrame, flat: pd.DataFrame | FlatColumns, jsonl: Sequence[str],
              parsed: ParsedFrame | None = None) -> None:
        """Write one chunk of rows, in input order.

        `parsed`: the same rows as validated and decided (typed facts, as of the evaluation
        date), for writers that show facts beside the decision (一宗一策); else they parse `inputs`.

        `inputs`: the raw input cells, one column per input header (by position); `flat`: the
        columns OUTPUT_COLUMNS as text ("" when empty), a DataFrame or FlatColumns; `jsonl`: one
        JSON object a row, without newline (used by the JSONL writer only). A chunk that fails
        to write aborts the writer."""
        if self._state != "open":
            raise OutputError(f"输出 {self.path} 已{'提交' if self._state == 'committed' else '放弃'}，不能再写入")
        n = len(flat)
        if len(inputs) != n or inputs.shape[1] != len(self.input_headers):
            raise ValueError(f"inputs is {inputs.shape}, expected {n} rows x {len(self.input_headers)} columns")
        missing = [c for c in OUTPUT_COLUMNS if c not in flat.columns]
        if missing == [OPTIONAL_COLUMN] and not isinstance(flat, FlatColumns):  # decided without any fee: empty
            flat = flat.assign(**{OPTIONAL_COLUMN: ""})
        elif missing:
            raise ValueError(f"flat lacks the columns {missing}")
        if isinstance(flat, FlatColumns):
            invalid = flat.invalid()
            if not self.takes_flat_columns:
                flat = flat.frame()
        else:
            invalid = int((flat["errors"].fillna("") != "").sum())
            flat = flat.reset_index(drop=True)
        self.parsed = parsed
        try:
            self._write(inputs, flat, jsonl)
            self._writeback.written()
        except BaseException as exc:  # a half-written chunk must never be committed
            self.abort()
            translated = self._translate(exc)
            if translated is not None:
                raise translated from exc
            raise
        self.rows += n
        self.invalid += invalid

    def commit(self, summary: Summary | None = None) -> None:
        """Finish the file and move it into place; on failure nothing is left behind."""
        if self._state != "open":
            raise OutputError(f"输出 {self.path} 已{'提交' if self._state == 'committed' else '放弃'}")
        try:
            self._finish(summary)
            self._writeback.close()
            publish(self.tmp, self.path)
        except BaseException as exc:
            self._give_up(exc)
            raise
        self._state = "committed"

    def _give_up(self, exc: BaseException) -> None:
        """Abort after `exc`, raising it as the one-line OutputError it stands for, if any."""
        self.abort()
        translated = self._translate(exc)
        if translated is not None:
            raise translated from exc

    def abort(self) -> None:
        """Delete the temp file; idempotent, and a no-op after commit()."""
        if self._state != "open":
            return
        self._state = "aborted"
        try:
            self._discard()
        finally:
            self._writeback.close()
            self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> DecisionWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()

    def _error(self, exc: OSError) -> OutputError:
        return output_error(self.path, exc)

    def _translate(self, exc: BaseException) -> OutputError | None:
        """The OutputError an exception while writing stands for (None: let it through).
        Subclasses add their libraries' own errors for a full disk and the like."""
        return self._error(exc) if isinstance(exc, OSError) else None


def output_error(path: Path, exc: OSError) -> OutputError:
    """An OSError while writing `path`, as one line (a full disk said so in Chinese)."""
    if exc.errno == errno.ENOSPC:
        reason = "磁盘空间不足"
    elif exc.errno == errno.EDQUOT:
        reason = "超出磁盘配额"
    elif isinstance(exc, PermissionError):
        reason = "没有写入权限"
    else:
        reason = exc.strerror or str(exc)
    return OutputError(" ".join(f"无法写出 {path}：{reason}（未写出输出文件）".split()))


def publish(tmp: Path, path: Path) -> None:
    """Move a finished temp file into place: flushed to disk, the usual permissions
    (0o666 & ~umask; mkstemp makes 0600), renamed over `path` in one step."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


@contextmanager
def safe_output(path: Path, inputs: Sequence[Path] = ()) -> Iterator[tuple[IO[bytes], Path]]:
    """The one way landrules writes a whole file: `path` may not be one of `inputs` (also by
    link), the bytes go to a marked temp file beside it (stale ones swept), which `publish`
    moves into place when the block ends; on any failure or signal nothing is left at `path`
    and the temp file is removed. Yields (binary handle, temp path) — writers that write by
    path (Parquet, openpyxl) use the path. An OSError comes out as a one-line OutputError."""
    path = Path(path)
    refuse_inputs(path, inputs)
    sweep_stale(path.parent)
    try:
        fd, tmp = temp_file(path)
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle, tmp
        publish(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(path, exc) from None
        raise


def write_atomically(path: Path, data: bytes, inputs: Sequence[Path] = ()) -> None:
    """A small whole output (e.g. the task list) written through `safe_output`."""
    with safe_output(path, inputs) as (handle, _):
        handle.write(data)


def unique_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """`names` made unique and distinct from `reserved` by suffixing .1, .2, … (as pandas reads)."""
    seen = set(reserved)
    out = []
    for name in names:
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{name}.{k}"
        seen.add(candidate)
        out.append(candidate)
    return out
