"""The whole-file UTF-8 check: read block by block into one buffer (characters cut by a block's
end carried over), and started ahead by the command line (`check_ahead`) for `detect` to find."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrules.ledger.read import charset

# bytes that make UTF-8 of one to four bytes, and bytes that break it
pieces = st.lists(st.sampled_from([b"a", b"\r\n", "中".encode(), "é".encode(), "😀".encode(), b"\xff", b"\x80",
                                   "中".encode()[:2], b","]), max_size=60)


@pytest.mark.slow  # a property test, 300 examples
@settings(max_examples=300, deadline=None)
@given(pieces, st.integers(1, 9))
def test_the_block_check_agrees_with_pythons_decoder(tmp_path_factory, parts, block):
    path = tmp_path_factory.mktemp("utf8") / "f.csv"
    data = b"".join(parts)
    path.write_bytes(data)
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert charset._valid_utf8(path, block) is expected


def _utf8_head_gb18030_tail(path):
    filler = "".join(f"P{i:06d},1\r\n" for i in range(120_000))  # ASCII: > 1 MiB, valid in both
    path.write_bytes(("parcel_id,area_mu\r\n" + filler + "Z,工业\r\n").encode("gb18030"))


def test_detect_takes_the_verdict_checked_ahead(tmp_path):
    charset._AHEAD.clear()
    path = tmp_path / "late.csv"
    _utf8_head_gb18030_tail(path)
    charset.check_ahead(path)
    assert charset.detect(path)[0] == "gb18030"  # the check's verdict: not UTF-8 after the first MiB
    assert not charset._AHEAD  # used once


def test_a_file_changed_after_its_check_started_is_checked_again(tmp_path):
    charset._AHEAD.clear()
    path = tmp_path / "changed.csv"
    path.write_bytes(("parcel_id,area_mu\r\n" + "".join(f"P{i:06d},1\r\n" for i in range(120_000))).encode())
    charset.check_ahead(path)
    charset._AHEAD[next(iter(charset._AHEAD))][0].join()  # its verdict (UTF-8) is in
    _utf8_head_gb18030_tail(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))  # a new time, whatever the clock's grain
    assert charset.detect(path)[0] == "gb18030"
    charset._AHEAD.clear()


def test_a_missing_or_small_file_is_not_checked_ahead(tmp_path):
    charset._AHEAD.clear()
    charset.check_ahead(tmp_path / "none.csv")
    small = tmp_path / "small.csv"
    small.write_text("宗地编号\nSL-1\n", encoding="utf-8")  # detect decodes it whole
    charset.check_ahead(small)
    assert not charset._AHEAD
