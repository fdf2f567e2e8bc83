"""Telling a CSV's encoding: UTF-8 (with or without BOM) or GB18030/GBK as Excel saves it on
Chinese Windows — from the head of the file, checked over the whole file."""

from __future__ import annotations

import codecs
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa

from landrules.ledger.columns.headers import shows_parcel_id
from landrules.ledger.errors import LedgerError

HEAD_BYTES = 1 << 20  # the head `detect` guesses the encoding from (the rest is checked for UTF-8)
_CHINESE_ENCODINGS = {"gb18030", "gbk", "gb2312", "cp936", "ms936", "euc_cn", "hz"}


def decode_head(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode 文本" (often TAB-separated)
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            if len(data) % 2:  # the head was cut inside a character
                return data[:-1].decode("utf-16", "replace"), "utf-16"
            raise LedgerError(path, f"按 UTF-16 读取时无法解码：{_where(path, 'utf-16')}") from None
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: most likely GB18030/GBK from Excel on Chinese Windows. charset-normalizer
    # guesses; short Chinese texts are often guessed as big5/cp949, so a GB candidate wins, and
    # among decodable candidates the first whose text shows a parcel_id header.
    import charset_normalizer  # only for a file that is not UTF-8: not loaded at start-up

    guesses = [m.encoding for m in charset_normalizer.from_bytes(data)]
    candidates = (["gb18030"] if any(g in _CHINESE_ENCODINGS for g in guesses) else []) + guesses + ["gb18030"]
    decoded: list[str] = []
    for encoding in dict.fromkeys("gb18030" if g in _CHINESE_ENCODINGS else g for g in candidates):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        head = text[:8192]
        if shows_parcel_id(head):
            return text, encoding
        decoded.append((text, encoding))
    if decoded:
        return decoded[0]
    raise LedgerError(path, "无法识别文件编码（应为 UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK）："
                            + "；".join(f"按 {name} 读取，{_where(path, encoding)}" for name, encoding in
                                       sorted((("UTF-8", "utf-8"), ("GB18030", "gb18030")),
                                              key=lambda e: -(_first_bad_byte(path, e[1]) or 0)))
                            + "；一个文件只能用一种编码，请把该行起的内容按同一编码重新保存")


def _where(path: Path, encoding: str) -> str:
    """Where a file stops decoding in `encoding`: its line and byte offset."""
    bad = _first_bad_byte(path, encoding)
    if bad is None:
        return "全文可解码"
    return f"第 {_line_of(path, bad)} 行（字节位置 {bad}）起无法解码"


def _first_bad_byte(path: Path, encoding: str, block: int = 1 << 22) -> int | None:
    """The offset of the first byte that does not decode in `encoding`, or None when the whole
    file decodes (streamed, constant memory). UTF-8 is checked by Arrow's validator first (ten
    times Python's decoder); only a file that fails it is decoded to find the byte."""
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        valid = _checked_ahead(path)
        if valid is None:
            valid = _valid_utf8(path, block)
        if valid:
            return None
    decoder = codecs.getincrementaldecoder(encoding)()
    start = 0
    try:
        with path.open("rb") as f:
            while data := f.read(block):
                decoder.decode(data)
                start += len(data)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        # the decoder may hold back a few bytes of an incomplete sequence: exc.start counts in
        # the bytes it was given, which are the pending ones and then `data`
        pending = len(exc.object) - len(data) if "data" in locals() and data else 0
        return max(start - pending + exc.start, 0)
    return None


def _valid_utf8(path: Path, block: int) -> bool:
    """Whether the whole file is UTF-8, block by block, read into one buffer (no block copied
    or allocated anew); a character cut by a block's end is carried over to the next block."""
    buffer = memoryview(bytearray(block + 4))
    carry = 0  # bytes of a cut character at the buffer's start
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buffer[carry: carry + block]):
            end = carry + n
            cut = _last_start(buffer[:end])
            if not _utf8(buffer[:cut]):
                return False
            buffer[: end - cut] = buffer[cut:end]
            carry = end - cut
    return _utf8(buffer[:carry])


# files whose check `check_ahead` started: (path, size, mtime) -> (thread, [its verdict])
_AHEAD: dict[tuple[str, int, int], tuple[threading.Thread, list[bool | None]]] = {}
_AHEAD_LOCK = threading.Lock()


def _identity(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def check_ahead(path: Path, block: int = 1 << 22) -> None:
    """Start checking that the whole file is UTF-8 on a thread of its own, for `detect` to find
    done: the command line calls it before its imports, which then overlap the check (Arrow's
    validator and the file reads release the interpreter lock). A file that changes meanwhile
    (size, time) is checked again by `detect`; an error reading it is met there too."""
    try:
        key = _identity(path)
    except OSError:
        return
    if key[1] <= HEAD_BYTES:  # `detect` decodes a file this small whole: nothing to check ahead
        return
    verdict: list[bool | None] = []

    def check() -> None:
        try:
            verdict.append(_valid_utf8(path, block))
        except Exception:  # noqa: BLE001 - detect checks again, and words what fails
            verdict.append(None)

    thread = threading.Thread(target=check, name="landrules-utf8", daemon=True)
    with _AHEAD_LOCK:
        _AHEAD.clear()  # one run's file at a time: a check nobody took (the run failed first) is dropped
        _AHEAD[key] = (thread, verdict)
    thread.start()


def _checked_ahead(path: Path) -> bool | None:
    """The verdict of `check_ahead` on this file as it is now (waited for), or None."""
    try:
        key = _identity(path)
    except OSError:
        return None
    with _AHEAD_LOCK:
        started = _AHEAD.pop(key, None)
    if started is None:
        return None
    thread, verdict = started
    thread.join()
    return verdict[0] if verdict else None


def _last_start(data: bytes) -> int:
    """Where the last (maybe incomplete) character of `data` begins, within its last 4 bytes."""
    for back in range(1, min(4, len(data)) + 1):
        if data[-back] & 0xC0 != 0x80:  # not a continuation byte
            return len(data) - back
    return len(data)


def _utf8(data: bytes | memoryview) -> bool:
    if not len(data):
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    try:
        pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _decodes_whole(path: Path, encoding: str) -> bool:
    return _first_bad_byte(path, encoding) is None


def first_bad_line(path: Path, encoding: str) -> int | None:
    """The 1-based line holding the first byte that does not decode in `encoding`, or None."""
    bad = _first_bad_byte(path, encoding)
    return None if bad is None else _line_of(path, bad)


def _line_of(path: Path, offset: int, block: int = 1 << 22) -> int:
    """The 1-based line (\n-counted) that holds byte `offset`."""
    lines, seen = 1, 0
    with path.open("rb") as f:
        while seen < offset and (data := f.read(min(block, offset - seen))):
            lines += data.count(b"\n")
            seen += len(data)
    return lines


def detect(path: Path, limit: int = HEAD_BYTES) -> tuple[str, str]:
    """(encoding, decoded head) of a CSV. The encoding is guessed from the first `limit` bytes
    and, when that says UTF-8, checked over the whole file: a ledger that is UTF-8 for a
    megabyte and GB18030 further down (rows pasted from another file) is read as GB18030."""
    with path.open("rb") as f:
        data = f.read(limit + 1)
    whole = len(data) <= limit
    if not whole:
        data = data[: data.rfind(b"\n", 0, limit) + 1] or data[:limit]
    text, encoding = decode_head(path, data)
    bad = _first_bad_byte(path, encoding) if encoding == "utf-8-sig" and not whole else None
    if bad is not None:
        if not _decodes_whole(path, "gb18030"):
            raise LedgerError(path, f"无法识别文件编码：前面是 UTF-8，从第 {_line_of(path, bad)} 行起不是"
                                    f"（字节位置 {bad}）；一个文件只能用一种编码（UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK），"
                                    f"请把该行起的内容按 UTF-8 重新保存")
        encoding = "gb18030"
        text = data.decode(encoding)
    return encoding, text
