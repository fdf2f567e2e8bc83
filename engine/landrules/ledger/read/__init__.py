"""Reading ledger files: CSV, XLSX, XLS/ET/ODS, Parquet — sniffed by content, bounded, in chunks."""
