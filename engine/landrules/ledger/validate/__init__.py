"""Validating ledger cells and rows: cell parsers, column-wise validation, the parcel model, ids, totals."""
