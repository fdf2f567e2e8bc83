"""Shapefile: `.shp` with `.dbf`, `.prj` and perhaps `.cpg`, or all of them in one `.zip`.

Without a `.cpg` GDAL would read the attributes as Latin-1; officers' Shapefiles made by
Chinese software are GBK. The bytes are read back as they are and decoded as UTF-8 when they
are UTF-8, else as GB18030 (GBK), and a notice says which.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pandas as pd

from landrules.geo.layer import GeoError, Layer
from landrules.geo.read.ogr import checked_layer, read_features


def read(path: Path) -> Layer:
    path = Path(path)
    if path.suffix.lower() == ".zip":
        try:
            names = zipfile.ZipFile(path).namelist()
        except zipfile.BadZipFile:
            raise GeoError(f"{path.name}：不是有效的 zip 压缩包") from None
        shps = [n for n in names if n.lower().endswith(".shp")]
        if not shps:
            raise GeoError(f"{path.name}：压缩包里没有 .shp 文件")
        source = f"/vsizip/{path.resolve()}/{shps[0]}"
        has_cpg = any(n.lower() == shps[0][:-4].lower() + ".cpg" for n in names)
    else:
        source = str(path)
        has_cpg = any(path.with_suffix(s).exists() for s in (".cpg", ".CPG"))
    notices: list[str] = []
    try:
        read = read_features(path, source) if has_cpg else None
    except UnicodeDecodeError:  # a .dbf field name cut at 10 bytes inside a UTF-8 character (地块编号 is 12)
        read = None
        notices.append(f"{path.name}：字段名不是 .cpg 所说的编码能读的（.dbf 字段名最长 10 字节，UTF-8 的中文字段名会被截断），"
                       "按字节重新识别")
    if read is not None:
        epsg, geometries, attributes = read
    else:
        epsg, geometries, attributes = read_features(path, source, encoding="latin1")
        attributes, encoding = _redecode(attributes)
        if encoding:
            notices.append(f"{path.name}：{'' if has_cpg else '没有 .cpg，'}属性按 {encoding} 编码读取")
    return checked_layer(path, epsg, geometries, attributes, notices)


def _redecode(attributes: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Text columns read as Latin-1, decoded again as UTF-8 or else GB18030."""
    texts = [c for c in attributes.columns if any(isinstance(v, str) for v in attributes[c])]
    raw = {c: [v.encode("latin1") if isinstance(v, str) else v for v in attributes[c]] for c in texts}
    names = [c.encode("latin1") for c in attributes.columns if isinstance(c, str) and _latin(c)]
    everything = b"".join(v for c in texts for v in raw[c] if isinstance(v, bytes))
    if not any(b > 0x7F for b in everything) and not names:
        return attributes, None
    try:
        everything.decode("utf-8")
        for name in names:  # a name may end inside a character: the .dbf keeps 10 bytes of it
            codecs.getincrementaldecoder("utf-8")().decode(name, final=False)
        encoding, codec = "UTF-8", "utf-8"
    except UnicodeDecodeError:
        encoding, codec = "GBK", "gb18030"
    out = attributes.copy()
    for c in texts:
        out[c] = [v.decode(codec, errors="replace") if isinstance(v, bytes) else v for v in raw[c]]
    renamed = {c: c.encode("latin1").decode(codec, errors="ignore") for c in out.columns if isinstance(c, str) and _latin(c)}
    return out.rename(columns=renamed), encoding


def _latin(text: str) -> bool:
    try:
        return any(b > 0x7F for b in text.encode("latin1"))
    except UnicodeEncodeError:
        return False
