"""The record of runs (contract §7): one embedded DuckDB file holding every recorded run.

Floor 5, above decide/ (whose chunks it takes) and below report/ (which reads progress from it).

Why DuckDB: the record is columnar and analytic (1 000 000 decisions a quarter, compared run
against run with joins and group-bys), it takes and gives Arrow tables without a Python object
per row, it is one file beside nothing else (no server; an officer's laptop), and it has
transactions, so a run is recorded whole or not at all.

- `locate`   where the store is (--store, $LANDRULES_STORE, the user's data folder)
- `schema`   the versioned schema: the ordered list of migrations
- `store`    `Store.open(path, readonly=False)`, `transaction()`, the errors (newer, damaged, busy)
- `recorder` `RunRecorder`: a decided ledger's chunks in, one run committed at the end
- `chunk_tables` one decided chunk as the store's tables (Arrow), for the recorder and Dask workers
- `parts`    a Dask worker's file of chunk tables, written as Arrow streams, inserted by the client
- `run_facts` a run's facts, only the columns asked for, read from its chunks (progress, reread)
- `runs`     the recorded runs, one run by id or label
- `progress` two runs compared in SQL: the classes of §7, 处置率, 亩均税收
- `history`  one parcel across the runs
- `replay`   a run's rows and rulebook, materialised to decide them again
- `reread`   a run read back as `decide` made it (cells, recorded decisions, summary): `report --run`
"""
