"""The `landrules` command (contract §2).

Each command lives in its own module and imports what it needs inside its function, so that
parsing arguments and printing help load only typer and rich (README: "What each command loads").
"""

from __future__ import annotations

import errno
import os
import signal
import sys

from landrules.cli import (  # noqa: F401  (each module registers its commands)
    check,
    decide,
    diff,
    explain,
    lint,
    record,
    report,
    serve,
    tasks,
    template,
    users,
)
from landrules.cli.app import app
from landrules.core.interrupts import interrupt

__all__ = ["app", "main"]


def main() -> None:
    """The console script: SIGTERM ends a run like Ctrl-C (no output file left), and an
    unexpected error is one line and exit 2 (set LANDRULES_DEBUG=1 for the traceback)."""
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # as SIGTERM: never inside durable-rules' engine
    try:
        app()
    except SystemExit as exc:
        if exc.code == 1 and _broken_pipe(exc):  # click and rich exit 1 without a word when stdout's reader left (| head)
            print("landrules: 标准输出已关闭（读取方已退出，如 | head），输出未全部写出", file=sys.stderr)
            sys.exit(141)
        if _interrupted_silently(exc):  # typer turns an interrupt outside a command's own handling into a bare 130
            print("landrules: 已中断", file=sys.stderr)
        raise
    except KeyboardInterrupt:
        print("landrules: 已中断", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, see the docstring
        if os.environ.get("LANDRULES_DEBUG"):
            raise
        print(f"landrules: 内部错误，未完成: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)
    finally:
        # the run is over and its exit code decided: Python gives SIGTERM back its default
        # action while it shuts down, so a SIGTERM now would kill a finished run (exit -15)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)



def _broken_pipe(exc: BaseException) -> bool:
    """Whether an exit was caused by writing to a closed pipe (EPIPE somewhere in its context)."""
    seen = exc.__context__
    while seen is not None:
        if isinstance(seen, BrokenPipeError) or (isinstance(seen, OSError) and seen.errno == errno.EPIPE):
            return True
        seen = seen.__context__
    return False


def _interrupted_silently(exc: BaseException) -> bool:
    """Whether an exit is typer's answer to a KeyboardInterrupt (`raise Exit(130) from e`), which
    says nothing; a command that handled the interrupt itself has said so already."""
    seen = exc.__context__
    while seen is not None:
        if isinstance(seen.__cause__, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False
