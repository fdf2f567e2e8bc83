"""A layer as read: shapes, their attributes and what is wrong with each, in one CRS.

Every reader (`geo/read/`) returns a `Layer`. A shape that fails a check of contract §8 (带号 vs
prefix, swapped X/Y, an unclosed or self-intersecting ring) has no geometry here (None) and its
problems say why, naming the file, the parcel and the point; nothing is repaired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


class GeoError(Exception):
    """A boundary file that cannot be used at all (unreadable, no CRS, no id field); one line, Chinese."""


@dataclass
class Layer:
    path: Path
    epsg: int  # the CRS of `geometries` (EPSG code)
    geometries: np.ndarray  # shapely geometries, None where a feature has no usable shape
    attributes: pd.DataFrame  # one row per feature, the file's own fields
    problems: dict[int, list[str]] = field(default_factory=dict)  # feature position -> messages
    notices: list[str] = field(default_factory=list)  # about the file as a whole (encoding read, zone assumed)

    def __len__(self) -> int:
        return len(self.geometries)

    def where(self, i: int) -> str:
        """How messages name a feature: the file and its position."""
        return f"{self.path.name} 第{i + 1}个图形"
