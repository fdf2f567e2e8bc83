"""The report as a decision writer: the decide pipeline feeds it every decided chunk, it keeps
only what the bulletin needs (the parcels that need action, ActionList) and, at commit, renders
the bulletin in the target's format into the temporary file that commit moves into place."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from landrules.decide.workbook.actions import ActionList
from landrules.ledger.write.base import DecisionWriter, Labels, OutputError

FORMATS = (".xlsx", ".html", ".pdf")


def report_format(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"不支持的通报格式 {Path(path).name!r}：扩展名应为 {', '.join(FORMATS)}")
    return suffix


class ReportWriter(DecisionWriter):
    def __init__(self, path: Path, input_headers: Sequence[Any], labels: Labels | None = None,
                 input_names: Sequence[str | None] | None = None, ledger: str = "", progress=None, shapes: Any = None):
        self.format = report_format(path)
        self.shapes = shapes  # GeoFacts with `--parcels`: the bulletin carries the map (一张图)
        self.first_category: dict[str, str] = {}
        self.input_names = list(input_names) if input_names is not None else [None] * len(input_headers)
        self.ledger = ledger
        self.progress = progress  # summary -> the 本季进展 tables (report --since RUN), or None
        super().__init__(path, input_headers, labels)

    def _open(self, fd: int) -> None:
        import os

        os.close(fd)
        self.actions = ActionList(self.labels)
        self._as_of: str | None = None
        self._rulebook: str | None = None
        self._book = None
        if self.format == ".xlsx":
            from landrules.ledger.write.xlsx_book import Book

            self._book = Book(self.path)

    def _write(self, inputs, flat, jsonl) -> None:
        if not len(flat):
            return
        if self._as_of is None:
            self._as_of = next((v for v in flat["as_of"] if v), None)
            self._rulebook = next((v for v in flat["rulebook"] if v), None)
        self.actions.add(inputs, self.input_names, flat, self.parsed)
        if self.shapes is not None and self.parsed is not None:
            for pid, cats in zip(self.parsed.parcel_ids, flat["categories"]):
                if pid is not None and cats:
                    self.first_category.setdefault(pid, cats.split("; ")[0])

    def _finish(self, summary) -> None:
        from landrules.report.bulletin import build
        from landrules.core.summary import Summary

        if summary is None:
            summary = Summary(rows=self.rows, decided=self.rows - self.invalid, invalid=self.invalid)
        progress = self.progress(summary) if self.progress is not None else None
        bulletin = build(summary, self.actions, self.labels, self._as_of, self._rulebook, self.ledger, progress)
        if self.format == ".xlsx":
            from landrules.report.xlsx import write_xlsx

            write_xlsx(bulletin, self.actions, self._book, self.tmp)
            return
        from landrules.report.html import render

        drawn = None
        if self.shapes is not None:
            from landrules.geo.svg import category_map

            drawn = category_map(self.shapes, self.first_category, self.labels.categories, "存量用地一张图（按类别）", link=None)
        html = render(bulletin, self.labels, self.actions.total, drawn)
        if self.format == ".html":
            self.tmp.write_text(html, encoding="utf-8", newline="\n")
        else:
            from landrules.report.pdf import write_pdf

            write_pdf(html, self.tmp)

    def _discard(self) -> None:
        if getattr(self, "_book", None) is not None:
            self._book.discard()


def report_writer(ledger: str, progress=None):
    """`open_output` for the decide pipeline: (path, headers, labels, names[, shapes]) -> ReportWriter."""
    def open_output(path: Path, headers: Sequence[Any], labels: Labels, names: Sequence[str | None], shapes: Any = None) -> ReportWriter:
        return ReportWriter(path, headers, labels, names, ledger=ledger, progress=progress, shapes=shapes)

    return open_output
