"""How `decide --engine auto` picks an engine; the engines themselves are `backends.registry`'s."""

AUTO_DURABLE_MAX_ROWS = 5_000  # `--engine auto`: the reference engine for ledgers this small
