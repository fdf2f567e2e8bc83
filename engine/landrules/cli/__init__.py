"""The `landrules` command (contract §2).

Each command lives in its own module and imports what it needs inside its function, so that
parsing arguments and printing help load only typer and rich (README: "What each command loads").
"""

from __future__ import annotations

import os
import signal
import sys

from landrules.cli import (  # noqa: F401  (each module registers its commands)
    check, decide, diff, explain, lint, record, report, serve, tasks, template, users,
)
from landrules.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """The console script: SIGTERM ends a run like Ctrl-C (no output file left), and an
    unexpected error is one line and exit 2 (set LANDRULES_DEBUG=1 for the traceback)."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        app()
    except KeyboardInterrupt:
        print("landrules: 已中断", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, see the docstring
        if os.environ.get("LANDRULES_DEBUG"):
            raise
        print(f"landrules: 内部错误，未完成: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
