"""How `decide --engine auto` picks an engine; the engines themselves are `backends.registry`'s."""

AUTO_DURABLE_MAX_ROWS = 5_000  # `--engine auto`: the reference engine for ledgers this small


def choose_engine(engine: str, small_ledger: bool, first_chunk_rows: int) -> str:
    """`auto`: the durable-rules reference for small ledgers, the vectorised backend above."""
    if engine != "auto":
        return engine
    return "durable" if small_ledger and first_chunk_rows <= AUTO_DURABLE_MAX_ROWS else "vectorized"
