"""The engines `decide` can use; light, so that the command line can name them without loading them."""

ENGINES = ("durable", "vectorized")
AUTO_DURABLE_MAX_ROWS = 5_000  # `--engine auto`: the reference engine for ledgers this small
