"""Writing decisions: the writers' base (safe files, defusing), CSV, JSONL, Parquet, and workbook parts."""
