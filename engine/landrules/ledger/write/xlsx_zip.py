"""Zip entries for reproducible XLSX files: one fixed time and mode on every entry (so that equal
content gives equal bytes), and an entry deflated in a second thread while its bytes are made —
at a fast level by ISA-L (isal), about three times zlib's speed for a stream as small."""

from __future__ import annotations

import os
import queue
import shutil
import threading
import zipfile
from collections.abc import Iterator

from isal import isal_zlib

FAST_LEVELS = range(0, 4)  # ISA-L's levels: a stream deflated at these is written by ISA-L, not zlib


class FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time and mode, so that equal content gives equal bytes."""

    def __init__(self, path, date_time: tuple[int, ...]):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = date_time

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = getattr(zinfo_or_arcname, "filename", zinfo_or_arcname)
        super().writestr(self._info(name), data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = self._info(arcname or os.path.basename(filename), os.path.getsize(filename))
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def write_stream(out: zipfile.ZipFile, name: str, chunks: Iterator[bytes], date_time, level: int, zip64: bool) -> None:
    """Write `chunks` as one zip entry, deflated in a second thread as they are generated."""
    info = zipfile.ZipInfo(name, date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    try:
        info.compress_level = level  # Python ≥ 3.13
    except AttributeError:
        info._compresslevel = level  # Python ≤ 3.12
    handoff: queue.Queue = queue.Queue(maxsize=3)
    failed: list[BaseException] = []
    with out.open(info, "w", force_zip64=zip64) as dst:
        if level in FAST_LEVELS and hasattr(dst, "_compressor"):  # zipfile's deflater, swapped for ISA-L's (same format)
            dst._compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)

        def deflate() -> None:
            while (data := handoff.get()) is not None:
                if not failed:
                    try:
                        dst.write(data)
                    except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                        failed.append(exc)

        worker = threading.Thread(target=deflate, name="xlsx-deflate", daemon=True)
        worker.start()
        try:
            for data in chunks:
                if failed:
                    break
                handoff.put(data)
        finally:
            handoff.put(None)
            worker.join()
        if failed:
            raise failed[0]
