"""The engines `decide` can use, by name: one entry each, imported only when used (durable-rules
loads a C extension). Adding an engine is a module in backends/ (see `base.Backend`) and one
entry here; the command line, the workbench and the batch decider read the names from here."""

from __future__ import annotations

from typing import Any, Callable


def _durable(rulebook) -> Any:
    from landrules.backends.durable import DurableBackend

    return DurableBackend(rulebook)


def _vectorized(rulebook) -> Any:
    from landrules.backends.vectorized import VectorizedBackend

    return VectorizedBackend(rulebook)


ENGINES: dict[str, Callable[[Any], Any]] = {
    "durable": _durable,  # the reference: durable-rules, parcel by parcel, chaining categories
    "vectorized": _vectorized,  # numpy masks over whole chunks; proven equal by the differential test
}

# engines whose state is process-wide (durable-rules' C engine): one decision at a time per process
ONE_AT_A_TIME = frozenset({"durable"})


def open_backend(name: str, rulebook) -> Any:
    """The backend called `name` for `rulebook` (ValueError naming the engines for another name)."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}") from None
    return factory(rulebook)
