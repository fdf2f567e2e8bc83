"""Issue 23 item 7: what reading says of a file it cannot read, on a corpus made here
(tests/hostile_corpus.py): every refusal one Chinese line that names what is wrong and where."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile_corpus as corpus
from landrules.ledger.errors import LedgerError
from landrules.ledger.read.reader import read_ledger

TEXT = "宗地编号,面积（亩）,土地用途\n" + "".join(f"A{i},2,工业\n" for i in range(6))


def refusal(path) -> str:
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_byte_that_decodes_in_no_encoding_is_named_by_its_row(tmp_path, encoding):
    data = TEXT.encode(encoding).replace(b"A4,2", b"A4,\xff2")
    message = refusal(corpus.text_file(tmp_path, "l.csv", data))
    assert "第 6 行" in message  # the header is line 1, A4 is line 6


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_a_bom_is_read(tmp_path, bom):
    encoding = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    path = corpus.text_file(tmp_path, "l.txt", bom + TEXT.replace(",", "\t").encode(encoding))
    assert read_ledger(path)["parcel_id"].tolist() == [f"A{i}" for i in range(6)]


def test_utf16_without_a_bom_is_called_utf16_not_binary(tmp_path):
    message = refusal(corpus.text_file(tmp_path, "l.csv", TEXT.encode("utf-16-le")))
    assert "UTF-16" in message and "二进制" not in message


def test_a_password_protected_workbook_is_called_protected_not_damaged(tmp_path):
    message = refusal(corpus.encrypted_ooxml(tmp_path))
    assert "密码" in message and "损坏" not in message


def test_a_truncated_ods_is_called_ods(tmp_path):
    path = corpus.truncated(corpus.ods(tmp_path, [corpus.HEADER, ["A", 2, "工业"]]))
    message = refusal(path)
    assert "ODS" in message and "XLSX" not in message and "不完整" in message


def test_a_truncated_xlsx_is_called_incomplete(tmp_path):
    message = refusal(corpus.truncated(corpus.xlsx(tmp_path, [corpus.HEADER, ["A", 2, "工业"]])))
    assert "不完整" in message


@pytest.mark.slow  # a reader in a child process
def test_xls_content_named_xlsx_is_read_by_its_content(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice makes the .xls")
    source = corpus.xlsx(tmp_path, [corpus.HEADER, ["A", 2, "工业"]], name="src.xlsx")
    subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=120, check=True)
    named = tmp_path / "台账.xlsx"
    (tmp_path / "src.xls").rename(named)
    frame = read_ledger(named)
    assert frame["parcel_id"].tolist() == ["A"]
    assert frame.attrs["notices"][0].startswith("文件扩展名为 .xlsx，内容却是Excel 97-2003")


_PRISTINE: list[bytes] = []


def _thirty_rows_xlsx(tmp_path_factory) -> bytes:
    """The workbook the flip test damages, written once by openpyxl (each example flips one bit of a copy)."""
    if not _PRISTINE:
        _PRISTINE.append(corpus.xlsx(tmp_path_factory.mktemp("pristine"), [corpus.HEADER] + [[f"A{i}", i + 1, "工业"] for i in range(30)]).read_bytes())
    return _PRISTINE[0]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_a_flipped_byte_in_an_xlsx_reads_or_is_one_line(tmp_path_factory, monkeypatch, engine, where, bit):
    if engine == "openpyxl":
        monkeypatch.setattr("landrules.ledger.read.xlsx_scan.calamine_safe", lambda path, limits: False)
    path = tmp_path_factory.mktemp("flip") / "ledger.xlsx"
    data = bytearray(_thirty_rows_xlsx(tmp_path_factory))
    data[int(where * len(data))] ^= 1 << bit
    path.write_bytes(bytes(data))
    try:
        read_ledger(path)
    except LedgerError as exc:  # anything else fails the test
        assert "\n" not in str(exc)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7), active=st.booleans())
def test_a_flipped_byte_in_an_xls_reads_or_is_one_line(tmp_path_factory, where, bit, active):
    """calamine panics (pyo3's PanicException, no Exception) on some damaged .xls: one line too."""
    import xls_maker

    folder = tmp_path_factory.mktemp("flip")
    rows = [corpus.HEADER] + [[f"A{i}", i + 1, "工业"] for i in range(30)]
    path = xls_maker.xls(folder, [("说明", [["说明"]]), ("台账", rows)], active=int(active))
    data = bytearray(path.read_bytes())
    data[int(where * len(data))] ^= 1 << bit
    path.write_bytes(bytes(data))
    try:
        read_ledger(path)
    except LedgerError as exc:  # anything else fails the test
        assert "\n" not in str(exc)


def test_an_xls_whose_sheet_lies_past_its_stream_is_one_line_not_a_panic(tmp_path):
    """calamine slices the stream at a sheet's stated offset unchecked and panics (a
    PanicException, which `except Exception` does not catch): the file is refused in one line."""
    import struct

    import xls_maker

    stream = bytearray(xls_maker.workbook_stream([("台账", [corpus.HEADER, ["A", 2, "工业"]], "visible", {})], 0))
    at = 0
    while struct.unpack_from("<H", stream, at)[0] != 0x0085:  # walk the records to the BOUNDSHEET
        at += 4 + struct.unpack_from("<H", stream, at + 2)[0]
    struct.pack_into("<I", stream, at + 4, len(stream) + 1000)
    path = corpus.text_file(tmp_path, "台账.xls", xls_maker.compound_file(bytes(stream)))
    message = refusal(path)
    assert "不是有效的 Excel 97-2003" in message


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_an_xlsx_claiming_a_zip_version_zipfile_lacks_is_one_line(tmp_path, monkeypatch, engine):
    """A flipped byte in the central directory's "version needed" (found by the flipped-byte
    property test): zipfile raises NotImplementedError, which every reader takes as damage."""
    if engine == "openpyxl":
        monkeypatch.setattr("landrules.ledger.read.xlsx_scan.calamine_safe", lambda path, limits: False)
    path = corpus.xlsx(tmp_path, [corpus.HEADER] + [[f"A{i}", i + 1, "工业"] for i in range(30)])
    data = bytearray(path.read_bytes())
    data[data.index(b"PK\x01\x02") + 6] = 84  # version 8.4 needed to extract
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerError) as raised:
        read_ledger(path)
    assert "\n" not in str(raised.value) and path.name in str(raised.value)
