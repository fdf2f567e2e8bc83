"""Understanding a ledger's columns: headers and their synonyms, units, the column map, look-alikes."""
