"""Deciding on a Dask cluster: a Parquet dataset file by file, or a Dask DataFrame by partition.

Optional (`pip install 'landrules[dask]'`); nothing else in landrules imports this package.
Every partition is decided by the vectorised engine through the same pipeline as `decide`,
under a rulebook shipped once to the workers as its files and checked by its hash on arrival.
"""
