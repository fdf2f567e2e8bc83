"""`diff`: one ledger under two rulebooks — the other rulebook, the comparison, and its output."""
