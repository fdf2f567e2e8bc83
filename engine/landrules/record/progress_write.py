"""`progress -o OUT`: the per-parcel table by OUT's extension, written whole or not at all.

.jsonl — one record per parcel exactly as contract §7 (+ "note"); .csv (UTF-8 with BOM, for
Excel) and .parquet — the flat table, written by DuckDB straight from the query; .xlsx — the
flat table with the 移出 rows in red, and a 汇总 sheet of the classes."""

from __future__ import annotations

import os
from pathlib import Path

from landrules.ledger.write.base import OutputError, output_error, sweep_stale, temp_file
from landrules.record.progress import Progress

FORMATS = (".jsonl", ".csv", ".xlsx", ".parquet")


def check_format(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise OutputError(f"{path}: 不支持的输出格式 {path.suffix or '（无扩展名）'}，可用 {' '.join(FORMATS)}")


def write_progress(path: Path, progress: Progress) -> None:
    check_format(path)
    sweep_stale(path.parent)
    fd, tmp = temp_file(path)
    os.close(fd)
    suffix = path.suffix.lower()
    con = progress.store.con
    try:
        if suffix == ".jsonl":
            with open(tmp, "wb") as out:
                reader = con.sql(progress.jsonl_query()).to_arrow_reader(50_000)
                for batch in reader:
                    lines = batch.column(0).to_pylist()
                    out.write(("\n".join(lines) + "\n").encode("utf-8"))
        elif suffix == ".csv":
            with open(tmp, "wb") as out:
                out.write("\ufeff".encode("utf-8"))
            body = Path(f"{tmp}.body")
            con.execute(f"COPY ({progress.flat_query()}) TO '{_sql_path(body)}' (HEADER, DELIMITER ',')")
            with open(tmp, "ab") as out, open(body, "rb") as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    out.write(block)
            body.unlink()
        elif suffix == ".parquet":
            con.execute(f"COPY ({progress.flat_query()}) TO '{_sql_path(tmp)}' (FORMAT parquet)")
        else:
            _xlsx(tmp, progress)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _xlsx(tmp: Path, progress: Progress) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from landrules.ledger.write.base import defuse

    book = Workbook(write_only=True)
    summary = book.create_sheet("汇总")
    summary.append([f"本季进展：{progress.before.name} → {progress.after.name}"])
    summary.append(["进展", "宗数", "上期面积（亩）", "本期面积（亩）"])
    for c in progress.classes:
        summary.append([c.label, c.parcels, round(c.from_area_mu, 2), round(c.to_area_mu, 2)])
    sheet = book.create_sheet("逐宗进展")
    red = Font(color="C00000", bold=True)
    cursor = progress.store.con.execute(progress.flat_query())
    names = [d[0] for d in cursor.description]
    sheet.append(names[:-1])
    from openpyxl.cell import WriteOnlyCell

    while True:
        rows = cursor.fetchmany(10_000)
        if not rows:
            break
        for row in rows:
            values = [defuse(v) for v in row[:-1]]
            if row[-1] == "removed":
                cells = []
                for v in values:
                    cell = WriteOnlyCell(sheet, value=v)
                    cell.font = red
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append(values)
    book.save(tmp)
