"""Where the store is: `--store PATH`, then $LANDRULES_STORE, then the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "LANDRULES_STORE"
FILE_NAME = "landrules-record.duckdb"


def store_path(option: Path | str | None = None) -> Path:
    """The store file (it may not exist yet)."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("landrules", appauthor=False)) / FILE_NAME


def where_line(path: Path) -> str:
    """How every command that uses the store names it (on stderr)."""
    return f"记录库: {path}"
